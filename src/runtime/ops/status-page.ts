import type { BackendStatus, StatusReport } from "./status-report.js";

/** Every text shown goes through this: backend names, error texts, file paths, reload problems. */
export function escapeHtml(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}
const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d2330;background:#fafbfc}
h1{font-size:1.3rem;margin:0 0 .2rem}h2{font-size:1.05rem;margin:1.6rem 0 .5rem}
.muted{color:#5c6577}.mono{font-family:ui-monospace,monospace;font-size:12.5px;word-break:break-all}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #dde1e8;padding:.35rem .55rem;text-align:left;vertical-align:top}
th{background:#eef1f5;font-weight:600}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:.6rem;font-size:12px;font-weight:600}
.up,.ok,.ready,.closed{background:#dcf5e3;color:#14602c}.down,.failed,.not-ready,.open{background:#fde2e1;color:#8a1c17}
.idle,.disabled,.half-open,.draining,.stopped{background:#eceff3;color:#4a5263}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}dt{color:#5c6577}dd{margin:0}
`;

/**
 * The read-only status page: one HTML document with inline CSS, no script and nothing
 * loaded from elsewhere (the answer's Content-Security-Policy forbids both), refreshed by
 * the browser every 10 s. It shows what /status says, escaped.
 */
export function renderStatusPage(report: StatusReport): string {
  const readiness = report.ready ? badge("ready", "ready") : badge("not-ready", "not ready");
  const reasons = report.notReady.length ? `<ul id="not-ready">${report.notReady.map((r) => `<li>${escapeHtml(r)}</li>`).join("")}</ul>` : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="refresh" content="10"><title>mcp-proxy status</title><style>${STYLE}</style></head>
<body>
<h1>mcp-proxy ${escapeHtml(report.version)} ${readiness} ${badge(report.phase === "running" ? "ok" : report.phase, report.phase)}</h1>
<p class="muted">Started ${escapeHtml(report.startedAt)} · ${plural(report.clientSessions, "client session")}</p>
${reasons}
<h2>Config</h2>
<dl id="config">
<dt>File</dt><dd class="mono">${escapeHtml(report.config?.file ?? "none")}</dd>
<dt>Hash</dt><dd class="mono">${escapeHtml(report.config?.hash ?? "none")}</dd>
<dt>Loaded</dt><dd>${escapeHtml(report.config?.loadedAt ?? "never")}</dd>
<dt>Synchronized</dt><dd>${report.configSynchronized === 1 ? badge("ok", "yes") : badge("failed", "no: the last reload failed")}</dd>
<dt>Reloads</dt><dd>${report.reloads.ok} ok, ${report.reloads.failed} failed</dd>
</dl>
<h2>Last reload</h2>
${lastReload(report)}
<h2>Backends</h2>
<table id="backends"><thead><tr><th>Backend</th><th>Transport</th><th>State</th><th>Upstream sessions</th><th>Restarts</th><th>Circuit</th><th>Last error</th></tr></thead>
<tbody>${report.backends.map(backendRow).join("\n")}</tbody></table>
<h2>Audit</h2>
<p id="audit">${report.audit.enabled ? `${plural(report.audit.written, "line")} written, ${report.audit.dropped} dropped` : "off"}</p>
<p class="muted">The same data as JSON: <span class="mono">GET /status</span> with <span class="mono">Accept: application/json</span>. Metrics: <span class="mono">GET /metrics</span>.</p>
</body></html>
`;
}

function lastReload(report: StatusReport): string {
  const last = report.lastReload;
  if (!last) return `<p id="last-reload" class="muted">none yet</p>`;
  const errors = last.errors.length
    ? `<ul class="errors">${last.errors.map((e) => `<li><span class="mono">${escapeHtml(e.path || "(file)")}</span>: ${escapeHtml(e.message)}</li>`).join("")}</ul>`
    : "";
  return `<div id="last-reload" data-ok="${last.ok}"><p>${badge(last.ok ? "ok" : "failed", last.ok ? "ok" : "failed")} ${escapeHtml(last.trigger)} at ${escapeHtml(last.at)} (${escapeHtml(last.durationMs)} ms)</p>${errors}</div>`;
}

function backendRow(b: BackendStatus): string {
  const flags = [b.session === "shared" ? "shared" : "", b.required ? "required" : ""].filter(Boolean).join(", ");
  return `<tr data-backend="${escapeHtml(b.name)}"><td><strong>${escapeHtml(b.name)}</strong>${flags ? ` <span class="muted">(${escapeHtml(flags)})</span>` : ""}</td><td>${escapeHtml(b.transport)}</td><td class="state">${badge(b.state, b.state)}</td><td>${b.upstreamSessions}</td><td>${b.restarts}</td><td>${badge(b.circuit, b.circuit)}</td><td class="mono">${escapeHtml(b.lastError ?? "")}${b.lastErrorAt ? ` <span class="muted">(${escapeHtml(b.lastErrorAt)})</span>` : ""}</td></tr>`;
}

function badge(kind: string, text: string): string {
  return `<span class="badge ${escapeHtml(kind.replace(/[^a-z-]/gi, ""))}">${escapeHtml(text)}</span>`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
