import type { Server } from "node:http";
import type { Socket } from "node:net";
import { errorResponse, ProxyError } from "../core/errors.js";

export interface ConnectionLimits {
  readonly maxConnections: number;
  /** Undefined where every client shares one address (a loopback binding). */
  readonly maxPerAddress: number | undefined;
  /** Peers the per-address cap does not apply to (trusted proxies, whose connections carry many clients). */
  readonly exempt?: (address: string | undefined) => boolean;
  readonly onRefused: (remoteAddress: string | undefined, open: number, limit: "total" | "per-address") => void;
}

/**
 * Caps the TCP connections a binding holds open, in total and per remote address, so idle
 * connections cannot take every file descriptor. A connection over a cap is answered at once
 * with a raw 503 (the client learns why instead of seeing a reset) and closed; it never
 * reaches the request handler.
 */
export function limitConnections(server: Server, limits: ConnectionLimits): { refused: (socket: Socket) => boolean } {
  let open = 0;
  const perAddress = new Map<string, number>();
  const refusedSockets = new WeakSet<Socket>();
  server.prependListener("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "";
    const fromAddress = perAddress.get(address) ?? 0;
    const over = open >= limits.maxConnections ? "total" : limits.maxPerAddress !== undefined && fromAddress >= limits.maxPerAddress && !limits.exempt?.(socket.remoteAddress) ? "per-address" : undefined;
    if (over) {
      refusedSockets.add(socket);
      limits.onRefused(socket.remoteAddress, over === "total" ? open : fromAddress, over);
      socket.on("error", () => undefined);
      socket.end(rawRefusal());
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    open++;
    perAddress.set(address, fromAddress + 1);
    socket.once("close", () => {
      open--;
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    });
  });
  return { refused: (socket) => refusedSockets.has(socket) };
}

function rawRefusal(): string {
  const body = JSON.stringify(errorResponse(null, new ProxyError("TOO_MANY_CONNECTIONS", "Too many connections")));
  return (
    "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 5\r\nconnection: close\r\n" +
    `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}
