/** RFC 5424 severities as MCP names them, most verbose first. */
export const LOG_LEVELS = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function isLogLevel(value: unknown): value is LogLevel {
  return LOG_LEVELS.includes(value as LogLevel);
}

/** Lower is more verbose; -1 for anything that is not a level. */
export function levelRank(level: unknown): number {
  return LOG_LEVELS.indexOf(level as LogLevel);
}
