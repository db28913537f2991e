import type { Pipeline } from "../../compile/compile.js";
import { Cancellation } from "../../core/cancellation.js";
import type { ClientScope, RequestContext, RequestInfo } from "../../core/context.js";
import type { ChangedList } from "../session-surface.js";

/** The list methods whose answers a reload compares, and the notification each one's change sends. */
const LISTS = [
  ["tools/list", "notifications/tools/list_changed"],
  ["prompts/list", "notifications/prompts/list_changed"],
  ["resources/list", "notifications/resources/list_changed"],
  ["resources/templates/list", "notifications/resources/list_changed"],
] as const;

export const LIST_NOTIFICATIONS: readonly ChangedList[] = [...new Set(LISTS.map(([, n]) => n))];

/** Per notification, the text of the lists it covers, as one caller would receive them. */
export type VisibleLists = Readonly<Record<ChangedList, string>>;

/**
 * What a client would get from each list method under `pipeline`, answered as its latest
 * request's caller: a reload compares this before and after, so a tightened policy, a rename
 * or a removed backend sends exactly the list_changed notifications the client needs, and a
 * change that leaves its lists as they were sends none. These requests are not audited: the
 * client did not make them.
 */
export async function visibleLists(pipeline: Pipeline, scope: ClientScope, info: RequestInfo): Promise<VisibleLists> {
  const out: Record<string, string> = {};
  for (const [method, notification] of LISTS) {
    const ctx: RequestContext = { method, id: `reload:${method}`, params: {}, scope, info, cancellation: new Cancellation() };
    let text: string;
    try {
      text = JSON.stringify(await pipeline.handle(ctx));
    } catch (error) {
      // A list the caller is refused (a custom interceptor) is a list too: compare the refusal.
      text = `error:${(error as Error).message}`;
    }
    out[notification] = (out[notification] ?? "") + text;
  }
  return out as VisibleLists;
}
