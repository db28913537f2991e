import type { ConfigIssue } from "./config-issue.js";

/**
 * What the schema cannot say about `admin` and `tracing`: a token exposure without a token
 * would lock everyone out (or, worse, be read as open), an admin listener on a binding's port
 * could never start, and an exporter URL that is not http(s) would fail only at the first span.
 */
export function checkAdminAndTracing(raw: Record<string, unknown>, issues: ConfigIssue[]): void {
  const admin = isRecord(raw.admin) ? raw.admin : undefined;
  if (admin?.exposure === "token" && admin.token === undefined) {
    issues.push({ path: "admin.token", message: 'is required when admin.exposure is "token"' });
  }
  const listen = isRecord(admin?.listen) ? admin.listen : undefined;
  if (typeof listen?.port === "number" && listen.port !== 0 && Array.isArray(raw.bindings)) {
    raw.bindings.forEach((binding: unknown, i) => {
      if (isRecord(binding) && binding.transport === "http" && binding.port === listen.port) {
        issues.push({ path: "admin.listen.port", message: `port ${listen.port} is already bound by bindings[${i}]` });
      }
    });
  }
  const tracing = isRecord(raw.tracing) ? raw.tracing : undefined;
  if (typeof tracing?.otlpEndpoint === "string" && !/^https?:\/\/[^/\s]+/i.test(tracing.otlpEndpoint)) {
    issues.push({ path: "tracing.otlpEndpoint", message: `must be an absolute http:// or https:// URL (got ${JSON.stringify(tracing.otlpEndpoint)})` });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
