import { isIPv4 } from "node:net";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/** Clients send the same few Host and Origin values over and over; parse each once. */
const parsed = new Map<string, string | undefined>();

function hostnameOf(value: string): string | undefined {
  if (parsed.has(value)) return parsed.get(value);
  if (parsed.size > 256) parsed.clear();
  const hostname = parseHostname(value);
  parsed.set(value, hostname);
  return hostname;
}

function parseHostname(value: string): string | undefined {
  try {
    return new URL(value.includes("://") ? value : `http://${value}`).hostname;
  } catch {
    return undefined;
  }
}

/** A loopback name or address literal; `127.attacker.example` is a hostname, not 127/8. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || (isIPv4(host) && host.startsWith("127."));
}

/**
 * Browsers send Origin; a page on another site must not drive a local MCP endpoint. Without an
 * allowlist only loopback origins pass; requests without Origin (non-browser clients) pass.
 */
export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowed.length > 0) return allowed.includes(origin);
  const host = hostnameOf(origin);
  return host !== undefined && isLoopbackHost(host);
}

/** DNS rebinding guard for loopback bindings: the Host header must name a loopback address too. */
export function hostAllowed(hostHeader: string | undefined, boundHost: string): boolean {
  if (!isLoopbackHost(boundHost)) return true;
  if (hostHeader === undefined) return false;
  const host = hostnameOf(hostHeader);
  return host !== undefined && isLoopbackHost(host);
}
