import { defineProxy, ProxyError, type Interceptor } from "mcp-portcullis";

/**
 * A custom interceptor: JSON-Logic decides on values, this decides on the shape of a URL. Only
 * hosts on the list may receive a webhook; everything else is refused before the backend sees it.
 */
const WEBHOOK_HOSTS = new Set(["hooks.example.com"]);
const onlyKnownWebhooks: Interceptor = async (ctx, next) => {
  if (ctx.method === "tools/call" && ctx.target?.backend === "webhook") {
    const url = (ctx.params.arguments as { url?: unknown } | undefined)?.url;
    const host = typeof url === "string" && URL.canParse(url) ? new URL(url).hostname : undefined;
    if (!host || !WEBHOOK_HOSTS.has(host)) throw new ProxyError("FORBIDDEN", `Forbidden: webhooks go to ${[...WEBHOOK_HOSTS].join(", ")} only`, { policy: "only-known-webhooks" });
  }
  return next();
};

// Toxic flows: an agent that read private mail must not send anything out in the same session.
export default defineProxy(({ configDir }) => ({
  version: 1,
  backends: {
    inbox: { transport: "stdio", command: process.execPath, args: [`${configDir}/servers/demo-server.mjs`, "inbox"], labels: ["private-data"] },
    webhook: { transport: "stdio", command: process.execPath, args: [`${configDir}/servers/demo-server.mjs`, "webhook"], labels: ["egress"] },
  },
  // Legacy clients only: the toxic-flow rule reads the session, and 2026-07-28 clients have none.
  bindings: [{ transport: "http", port: 8093, modern: false }],
  policies: {
    default: "deny",
    rules: [
      { name: "agents-use-demo-tools", effect: "allow", match: { backends: ["inbox", "webhook"] } },
      {
        name: "no-egress-after-private-data",
        description: "Once a session has read private data, nothing it calls may send data out.",
        effect: "deny",
        when: { and: [{ in: ["egress", { var: "backend.labels" }] }, { in: ["private-data", { var: "session.labelsSeen" }] }] },
      },
    ],
  },
  filters: [{ name: "no-api-keys", redact: [{ pattern: "sk-[A-Za-z0-9-]{16,}", replacement: "[KEY]" }] }],
  audit: { sink: "stderr" },
  interceptors: [{ name: "only-known-webhooks", stage: "authorize", handle: onlyKnownWebhooks }],
}));
