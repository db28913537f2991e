import { isIP } from "node:net";
import { isLoopbackHost } from "../core/loopback.js";

export { isLoopbackHost };

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

/**
 * DNS rebinding guard: a page on `attacker.example` whose name was rebound to this address
 * still sends `Host: attacker.example`. Loopback names always pass. On a loopback binding
 * nothing else does; on any other binding an IP literal passes too (a rebinding page cannot
 * make the browser send one), and so do the names in `allowedHosts` (case-insensitive).
 */
export function hostAllowed(hostHeader: string | undefined, boundHost: string, allowedHosts: readonly string[] = []): boolean {
  if (hostHeader === undefined) return false;
  const host = hostnameOf(hostHeader);
  if (host === undefined) return false;
  if (isLoopbackHost(host)) return true;
  if (isLoopbackHost(boundHost)) return false;
  if (isIP(host.replace(/^\[|\]$/g, "")) !== 0) return true;
  return allowedHosts.some((name) => name.toLowerCase() === host);
}
