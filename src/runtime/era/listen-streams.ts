import type { Params } from "../../core/context.js";
import { META } from "../../core/era.js";

/** What one subscriptions/listen stream asked for and was granted. */
export interface ListenFilter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
}

interface Stream {
  readonly id: string | number;
  /** Ends the stream from the server's side (shutdown): its listen request is answered. */
  readonly end: () => void;
  readonly filter: ListenFilter;
  readonly uris: ReadonlySet<string>;
  readonly send: (notification: Record<string, unknown>) => void;
}

const LIST_FLAGS: Readonly<Record<string, keyof ListenFilter>> = {
  "notifications/tools/list_changed": "toolsListChanged",
  "notifications/prompts/list_changed": "promptsListChanged",
  "notifications/resources/list_changed": "resourcesListChanged",
};

/**
 * The open subscriptions/listen streams of one modern scope. A stream gets only the
 * notification types it asked for and was granted, each stamped with its subscription id
 * (the listen request's id). Resource URIs are counted across streams, so the backend stays
 * subscribed while any stream of the scope still wants a URI.
 */
export class ListenStreams {
  readonly #streams = new Set<Stream>();
  readonly #uriCounts = new Map<string, number>();

  open(id: string | number, filter: ListenFilter, send: Stream["send"]): { ended: Promise<void>; close(): string[] } {
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    const stream: Stream = { id, end, filter, uris: new Set(filter.resourceSubscriptions ?? []), send };
    this.#streams.add(stream);
    for (const uri of stream.uris) this.#uriCounts.set(uri, (this.#uriCounts.get(uri) ?? 0) + 1);
    return {
      ended,
      /** Ends the stream; returns the URIs no stream wants any more (to unsubscribe upstream). */
      close: () => {
        if (!this.#streams.delete(stream)) return [];
        const released: string[] = [];
        for (const uri of stream.uris) {
          const left = (this.#uriCounts.get(uri) ?? 1) - 1;
          if (left > 0) this.#uriCounts.set(uri, left);
          else {
            this.#uriCounts.delete(uri);
            released.push(uri);
          }
        }
        return released;
      },
    };
  }

  /** Ends every stream gracefully (the gateway is closing the scope). */
  endAll(): void {
    for (const stream of this.#streams) stream.end();
  }

  notify(method: string, params: Params | undefined): void {
    const flag = LIST_FLAGS[method];
    const uri = method === "notifications/resources/updated" ? params?.uri : undefined;
    if (!flag && typeof uri !== "string") return;
    for (const stream of this.#streams) {
      if (flag ? stream.filter[flag] !== true : !stream.uris.has(uri as string)) continue;
      const meta = { ...((params?._meta as Params | undefined) ?? {}), [META.subscriptionId]: stream.id };
      stream.send({ jsonrpc: "2.0", method, params: { ...params, _meta: meta } });
    }
  }
}
