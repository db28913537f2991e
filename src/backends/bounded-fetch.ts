/** An HTTP backend's answer over its `maxMessageBytes`; fails the one request it answered. */
export class MessageTooLargeError extends Error {
  override name = "MessageTooLargeError";
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`message of ${bytes} bytes or more, over the limit of ${limit}`);
  }
}

/**
 * A fetch whose JSON answers may not exceed `limit` bytes: refused by Content-Length before
 * reading, or cut off while reading, so a huge answer never becomes a huge string in the
 * gateway. Server-sent event streams pass unbounded: their size is not that of one message.
 */
export function boundedFetch(limit: number): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const type = response.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
    if (!response.ok || !response.body || type !== "application/json") return response;
    const declared = Number(response.headers.get("content-length"));
    if (Number.isFinite(declared) && declared > limit) {
      await response.body.cancel().catch(() => undefined);
      throw new MessageTooLargeError(declared, limit);
    }
    let seen = 0;
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen += chunk.byteLength;
          if (seen > limit) controller.error(new MessageTooLargeError(seen, limit));
          else controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
