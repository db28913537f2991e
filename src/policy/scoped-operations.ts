/**
 * The operators that run a rule once per element of an array (map, filter, reduce, all, none,
 * some). The body sees the element as its whole data; reduce's body sees {current, accumulator}.
 * Written as loops rather than Array methods so a decision allocates no callbacks.
 */
import { truthy } from "./operators.js";

/** A compiled rule: data in, value out. */
export type Evaluate = (data: unknown) => unknown;

/** A scoped operation over an already evaluated array operand. `initial` is reduce's only. */
export type ScopedOperation = (items: unknown, body: Evaluate, initial: unknown) => unknown;

/** The scoped operators, by name; both compilers hand them a compiled body. */
export const SCOPED_OPERATIONS: ReadonlyMap<string, ScopedOperation> = new Map<string, ScopedOperation>([
  ["map", mapElements],
  ["filter", filterElements],
  ["reduce", reduceElements],
  ["all", (items, body) => allElements(items, body)],
  ["none", (items, body) => noElement(items, body)],
  ["some", (items, body) => someElement(items, body)],
]);

function mapElements(items: unknown, body: Evaluate): unknown[] {
  if (!Array.isArray(items)) return [];
  const out = new Array<unknown>(items.length);
  for (let i = 0; i < items.length; i++) out[i] = body(items[i]);
  return out;
}

function filterElements(items: unknown, body: Evaluate): unknown[] {
  if (!Array.isArray(items)) return [];
  const out: unknown[] = [];
  for (const item of items) if (truthy(body(item))) out.push(item);
  return out;
}

function reduceElements(items: unknown, body: Evaluate, initial: unknown): unknown {
  if (!Array.isArray(items)) return initial;
  let accumulator = initial;
  for (const current of items) accumulator = body({ current, accumulator });
  return accumulator;
}

/** All of an empty set is false, as in json-logic-js. */
function allElements(items: unknown, body: Evaluate): boolean {
  if (!Array.isArray(items) || items.length === 0) return false;
  for (const item of items) if (!truthy(body(item))) return false;
  return true;
}

function noElement(items: unknown, body: Evaluate): boolean {
  if (!Array.isArray(items) || items.length === 0) return true;
  for (const item of items) if (truthy(body(item))) return false;
  return true;
}

function someElement(items: unknown, body: Evaluate): boolean {
  if (!Array.isArray(items) || items.length === 0) return false;
  for (const item of items) if (truthy(body(item))) return true;
  return false;
}
