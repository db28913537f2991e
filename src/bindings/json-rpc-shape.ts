import type { JSONRPCMessage, RequestId } from "@modelcontextprotocol/server";

export type Message = JSONRPCMessage & { id?: RequestId; method?: string; result?: unknown; error?: unknown };

/** A JSON-RPC 2.0 request, notification or response, checked by shape only (params pass untouched). */
export function isMessage(value: unknown): value is Message {
  if (typeof value !== "object" || value === null || (value as { jsonrpc?: unknown }).jsonrpc !== "2.0") return false;
  const m = value as Message;
  if (typeof m.method === "string") return m.id === undefined || typeof m.id === "string" || typeof m.id === "number";
  return (typeof m.id === "string" || typeof m.id === "number") && ("result" in m || "error" in m);
}
