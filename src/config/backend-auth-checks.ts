import { type ConfigIssue, joinPath } from "./config-issue.js";
import { isLoopbackHost } from "../core/loopback.js";

/**
 * What the schema cannot say about a backend's `auth`: a token endpoint that would carry the
 * client secret in clear text over a network, an exchanged per-caller token on a connection
 * every caller shares, and two sources for one Authorization header.
 */
export function checkBackendAuth(backends: Record<string, unknown>, issues: ConfigIssue[]): void {
  for (const [name, backend] of Object.entries(backends)) {
    if (!isRecord(backend) || !isRecord(backend.auth)) continue;
    const path = joinPath("backends", name);
    const auth = backend.auth;
    if (typeof auth.tokenUrl === "string") {
      const problem = tokenUrlProblem(auth.tokenUrl);
      if (problem) issues.push({ path: joinPath(joinPath(path, "auth"), "tokenUrl"), message: problem });
    }
    // One upstream connection carries every caller's requests: a token exchanged for one
    // caller would be sent for all of them.
    if (auth.type === "tokenExchange" && backend.session === "shared") {
      issues.push({
        path: joinPath(path, "auth"),
        message: 'tokenExchange gives each caller a token of its own and needs session: "per-client"; a shared backend would send one caller\'s token on every caller\'s requests',
      });
    }
    const headers = isRecord(backend.headers) ? Object.keys(backend.headers) : [];
    const clash = headers.find((h) => h.toLowerCase() === "authorization");
    if (clash) issues.push({ path: joinPath(joinPath(path, "headers"), clash), message: "is set by auth; give the backend's credential in one place" });
  }
}

function tokenUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `must be an absolute https:// URL (got ${JSON.stringify(url)})`;
  }
  if (parsed.protocol === "https:") return undefined;
  if (parsed.protocol === "http:" && isLoopbackHost(parsed.hostname)) return undefined;
  return `must use https:// (http:// only on a loopback address), so the client secret never crosses a network in clear text (got ${parsed.protocol}//${parsed.host})`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
