import { createHash } from "node:crypto";
import type { AuditLog } from "../audit/index.js";
import type { Pipeline } from "../compile/compile.js";
import { filterTarget } from "../compile/filter-results.js";
import type { ResolvedAudit } from "../config/index.js";
import type { AuthOutcome } from "../core/authentication.js";
import type { Identity, RequestContext, RequestInfo, Result } from "../core/context.js";
import { ProxyError, toJsonRpcError } from "../core/errors.js";
import { InFlight } from "./in-flight.js";

/**
 * Turns each request that reached the pipeline, and each refused authentication, into one
 * audit record. What it leaves out is as deliberate as what it keeps: no token, no header, no
 * claim that no policy reads, and argument values only when the config asks (redacted by the
 * filters that match the request); otherwise a digest that proves what was sent without
 * showing it.
 */
export class AuditTrail {
  /** How often each shadow rule (and effect) would have changed a decision in this process: the counter its lines carry. */
  readonly #shadowCounts = new Map<string, number>();
  /** Requests that captured this trail and have not written their line yet (a reload waits for them before closing it). */
  readonly inflight = new InFlight();

  constructor(
    private readonly log: AuditLog | undefined,
    private readonly settings: ResolvedAudit,
  ) {}

  /**
   * The same sink under new settings (what is recorded, whether to fail closed): a reload that
   * leaves the sink as it was keeps writing to the one log, so a chained file's chain goes on.
   */
  withSettings(settings: ResolvedAudit): AuditTrail {
    return new AuditTrail(this.log, settings);
  }

  /** True while requests must be refused: the sink cannot write and the config says fail closed. */
  get refusing(): boolean {
    return this.log !== undefined && this.settings.onFailure === "refuse" && !this.log.confirmed;
  }

  /** The error a request gets while `refusing`. */
  static unavailable(): ProxyError {
    return new ProxyError("AUDIT_UNAVAILABLE", "Service unavailable: the audit trail cannot be written and audit.onFailure is refuse; try again later");
  }

  /** Lines accepted by the sink and lines it dropped (both 0 while the trail is off). */
  get counts(): { readonly written: number; readonly dropped: number } {
    return this.log?.counts ?? { written: 0, dropped: 0 };
  }

  get enabled(): boolean {
    return this.log !== undefined;
  }

  /** `started`: Date.now() and performance.now() when the request reached the pipeline. */
  request(ctx: RequestContext, pipeline: Pipeline, started: { readonly wall: number; readonly mono: number }, outcome: { result: Result } | { error: unknown }): void {
    if (!this.log) return;
    try {
      this.log.write(this.#record(ctx, pipeline, started, outcome));
    } catch {
      // A request the gateway could serve but not describe (params nested too deep to
      // serialise) still gets its line, without the parts that could not be measured.
      this.log.write({ time: new Date(started.wall).toISOString(), event: "request", requestId: ctx.id, method: ctx.method, session: ctx.scope.sessionId, binding: ctx.info.binding, status: "error", unmeasurable: true });
    }
  }

  #record(ctx: RequestContext, pipeline: Pipeline, started: { readonly wall: number; readonly mono: number }, outcome: { result: Result } | { error: unknown }): Record<string, unknown> {
    const target = ctx.target;
    const error = "error" in outcome ? toJsonRpcError(outcome.error) : undefined;
    const args = ctx.params.arguments;
    const record: Record<string, unknown> = {
      time: new Date(started.wall).toISOString(),
      event: "request",
      requestId: ctx.id,
      identity: describeIdentity(ctx.identity ?? ctx.info.identity, pipeline.claimsRead),
      binding: ctx.info.binding,
      transport: ctx.info.transport,
      // Only modern requests say so: legacy lines stay as they were.
      ...(ctx.era === "modern" ? { era: "modern" } : {}),
      session: ctx.scope.sessionId,
      labelsSeen: [...ctx.scope.labelsSeen],
      method: ctx.method,
      ...(target ? { target: target.exposed, kind: target.kind, backend: target.backend } : {}),
      decision: ctx.decision ? (ctx.decision.allowed ? "allow" : "deny") : pipeline.policies ? "none" : "allow",
      ...(ctx.decision?.rule ? { rule: ctx.decision.rule } : {}),
      ...(ctx.decision?.hidden ? { hidden: true } : {}),
      ...(ctx.shadow ? this.#shadowFields(ctx.shadow) : {}),
      ...(ctx.filtered ? { filters: ctx.filtered } : {}),
      ...(ctx.cache ? { cache: ctx.cache } : {}),
      status: error ? "error" : "ok",
      // A round that asks the client for input (the call is retried, with a line of its own).
      ...("result" in outcome && outcome.result.resultType === "input_required" ? { resultType: "input_required" } : {}),
      ...(error ? { code: error.code, reason: reasonOf(error) } : {}),
      // Which limit refused, and for how long: what an operator needs to tell a quota from abuse.
      ...(error && reasonOf(error) === "RATE_LIMITED" ? { data: error.data } : {}),
      latencyMs: Math.round((performance.now() - started.mono) * 100) / 100,
      bytesIn: jsonBytes(ctx.params),
      bytesOut: "result" in outcome ? jsonBytes(outcome.result) : jsonBytes(error),
      ...(args === undefined ? {} : this.#arguments(ctx, pipeline, args)),
      ...(ctx.info.remoteAddress ? { remoteAddress: ctx.info.remoteAddress } : {}),
    };
    return record;
  }

  /**
   * What shadow rules would have changed: `shadow: { rule, effect }` for one (the common case),
   * an array of those for several; `shadowCount` (one) or `shadowCounts` (by rule) is how often
   * that rule has differed in this process, this line included.
   */
  #shadowFields(effects: NonNullable<RequestContext["shadow"]>): Record<string, unknown> {
    const counted = effects.map(({ rule, effect }) => {
      const key = `${rule}\u0000${effect}`;
      const count = (this.#shadowCounts.get(key) ?? 0) + 1;
      this.#shadowCounts.set(key, count);
      return { rule, effect, count };
    });
    if (counted.length === 1) return { shadow: { rule: counted[0]!.rule, effect: counted[0]!.effect }, shadowCount: counted[0]!.count };
    return { shadow: effects.map(({ rule, effect }) => ({ rule, effect })), shadowCounts: Object.fromEntries(counted.map((e) => [e.rule, e.count])) };
  }

  /** One line per refused credential: why in a few words (`detail`), and who when the token was valid but lacked a scope; never the token. */
  authenticationRefused(info: RequestInfo, outcome: Extract<AuthOutcome, { ok: false }>): void {
    this.log?.write({
      time: new Date().toISOString(),
      event: "authentication",
      ...(outcome.identity ? { identity: describeIdentity(outcome.identity, []) } : {}),
      binding: info.binding,
      transport: info.transport,
      decision: "deny",
      status: "error",
      code: outcome.status,
      reason: REFUSAL_REASONS[outcome.reason],
      ...(outcome.detail ? { detail: outcome.detail } : {}),
      ...(info.remoteAddress ? { remoteAddress: info.remoteAddress } : {}),
    });
  }

  #arguments(ctx: RequestContext, pipeline: Pipeline, args: unknown): Record<string, unknown> {
    if (!this.settings.includeArguments) return { argumentsDigest: `sha256:${createHash("sha256").update(JSON.stringify(args) ?? "").digest("hex")}` };
    const target = filterTarget(ctx);
    const filter = target && pipeline.filters.select({ ...target, method: ctx.method });
    return { arguments: filter ? filter.redactValue(args) : args };
  }

  flush(): Promise<void> {
    return this.log?.flush() ?? Promise.resolve();
  }

  close(): Promise<void> {
    return this.log?.close() ?? Promise.resolve();
  }
}

const REFUSAL_REASONS = { missing: "NO_CREDENTIALS", invalid: "INVALID_CREDENTIALS", insufficient_scope: "INSUFFICIENT_SCOPE" } as const;

/** Who called, with just the claims policies read: the rest of a token's claims is not the audit's business. */
function describeIdentity(identity: Identity | undefined, claimsRead: readonly string[] | "*"): Record<string, unknown> | null {
  if (!identity) return null;
  let claims: Record<string, unknown> | undefined;
  if (claimsRead === "*") claims = identity.claims;
  else if (claimsRead.length > 0) {
    claims = {};
    for (const name of claimsRead) if (identity.claims[name] !== undefined) claims[name] = identity.claims[name];
  }
  return { sub: identity.sub, ...(identity.iss ? { iss: identity.iss } : {}), roles: identity.roles, ...(identity.scopes.length > 0 ? { scopes: identity.scopes } : {}), ...(claims ? { claims } : {}) };
}

function reasonOf(error: { data?: unknown }): string | undefined {
  const reason = (error.data as { reason?: unknown } | undefined)?.reason;
  return typeof reason === "string" ? reason : undefined;
}

function jsonBytes(value: unknown): number {
  const text = JSON.stringify(value);
  return text === undefined ? 0 : Buffer.byteLength(text);
}
