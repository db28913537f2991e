import { isIPv4 } from "node:net";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/**
 * A loopback name or address literal; `127.attacker.example` is a hostname, not 127/8. Shared
 * by the config check that refuses an unauthenticated non-loopback binding and by the Host guard.
 */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || (isIPv4(host) && host.startsWith("127."));
}
