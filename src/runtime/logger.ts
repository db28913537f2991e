import pino, { type Logger } from "pino";

/**
 * Logs go to stderr, always: with a stdio binding stdout carries only the protocol, and
 * keeping one rule for every binding means no configuration can get this wrong. Writes are
 * asynchronous so logging never holds up a request.
 */
export function createLogger(level: string, destination: pino.DestinationStream = pino.destination({ dest: 2, sync: false })): Logger {
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

export type { Logger };
