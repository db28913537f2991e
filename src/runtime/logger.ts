import pino, { type Logger } from "pino";

/**
 * Logs go to stderr, always: with a stdio binding stdout carries only the protocol, and
 * keeping one rule for every binding means no configuration can get this wrong. Writes are
 * asynchronous so logging never holds up a request. A person at a terminal gets one readable
 * line per entry; anything else (a file, a pipe, journald) gets pino's JSON lines.
 */
export function createLogger(level: string, destination: pino.DestinationStream = defaultDestination()): Logger {
  return pino(
    {
      level,
      base: { name: "mcp-proxy" },
      // Belt and braces: secrets are masked objects already, but headers copied into a log must not leak.
      redact: { paths: ["*.authorization", "*.Authorization", "headers.*", "*.token", "*.secret"], censor: "[redacted]" },
    },
    destination,
  );
}

function defaultDestination(): pino.DestinationStream {
  const json = pino.destination({ dest: 2, sync: false });
  if (!process.stderr.isTTY) return json;
  // A formatter of our own rather than pino-pretty: a dozen lines against a dependency tree.
  return { write: (line: string) => void process.stderr.write(prettyLine(line)) };
}

const LEVELS: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO ", 40: "WARN ", 50: "ERROR", 60: "FATAL" };
const OMIT = new Set(["level", "time", "pid", "hostname", "name", "msg"]);

/** `12:03:04.567 INFO  gateway started file=/x/mcp-proxy.config.ts backends=["a","b"]` */
export function prettyLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = new Date(typeof entry.time === "number" ? entry.time : Date.now()).toISOString().slice(11, 23);
  const fields = Object.entries(entry)
    .filter(([key]) => !OMIT.has(key))
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`);
  return `${time} ${LEVELS[entry.level as number] ?? String(entry.level)} ${String(entry.msg ?? "")}${fields.length ? ` ${fields.join(" ")}` : ""}\n`;
}

export type { Logger };
