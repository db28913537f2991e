import { hasOwnKey, isJsonObject, mapArray, mapValues, withKey, withoutKey, type JsonObject } from "./copy-on-change.js";

/** The segment that stands for every element of an array or every key of an object. */
const EVERY = "*";

/** One way to take the next step of a path at an object: a literal key, and where the rest of the path starts after it. */
interface KeyStep {
  readonly key: string;
  readonly next: number;
}

/** A stripFields path compiled once: its segments, and for each segment the literal keys to try there, longest first. */
export interface FieldPath {
  readonly segments: readonly string[];
  readonly keySteps: readonly (readonly KeyStep[])[];
}

/**
 * Compiles a stripFields path. The rule:
 *
 * - The path is split at dots into segments, walked from the result down.
 * - At an object, the rest of the path is also tried as one literal key joined back with its
 *   dots, because `_meta` keys contain dots and slashes themselves
 *   (`_meta.io.modelcontextprotocol/related-task` removes that key of `_meta`). The longest
 *   joined key that exists wins; only that branch is followed.
 * - A segment that is exactly `*` stands for every key of an object or every element of an
 *   array (`content.*.annotations`); it is never part of a joined key.
 * - At an array, a segment of digits is an index; any other segment finds nothing there.
 * - The last segment is removed (an array element is cut out, later ones move up). A path that
 *   leads nowhere removes nothing.
 */
export function compileFieldPath(path: string): FieldPath {
  const segments = path.split(".");
  const keySteps = segments.map((segment, start) => {
    if (segment === EVERY) return [];
    let stop = start;
    while (stop + 1 < segments.length && segments[stop + 1] !== EVERY) stop++;
    const steps: KeyStep[] = [];
    for (let last = stop; last >= start; last--) steps.push({ key: segments.slice(start, last + 1).join("."), next: last + 1 });
    return steps;
  });
  return { segments, keySteps };
}

/** The value with the path removed, or the value itself when the path leads nowhere. */
export function stripField(value: unknown, path: FieldPath): unknown {
  return stripFrom(value, path, 0);
}

function stripFrom(value: unknown, path: FieldPath, at: number): unknown {
  if (Array.isArray(value)) return stripInArray(value, path, at);
  if (isJsonObject(value)) return stripInObject(value, path, at);
  return value;
}

function stripInObject(object: JsonObject, path: FieldPath, at: number): JsonObject {
  const isLast = at === path.segments.length - 1;
  if (path.segments[at] === EVERY) {
    if (isLast) return Object.keys(object).length === 0 ? object : {};
    return mapValues(object, (child) => stripFrom(child, path, at + 1));
  }
  for (const step of path.keySteps[at] ?? []) {
    if (!hasOwnKey(object, step.key)) continue;
    if (step.next === path.segments.length) return withoutKey(object, step.key);
    return withKey(object, step.key, stripFrom(object[step.key], path, step.next));
  }
  return object;
}

function stripInArray(array: readonly unknown[], path: FieldPath, at: number): readonly unknown[] {
  const segment = path.segments[at] ?? "";
  const isLast = at === path.segments.length - 1;
  if (segment === EVERY) {
    if (isLast) return array.length === 0 ? array : [];
    return mapArray(array, (element) => stripFrom(element, path, at + 1));
  }
  if (!/^\d+$/.test(segment)) return array;
  const index = Number(segment);
  if (index >= array.length) return array;
  if (isLast) return [...array.slice(0, index), ...array.slice(index + 1)];
  const element = array[index];
  const stripped = stripFrom(element, path, at + 1);
  if (stripped === element) return array;
  const copy = array.slice();
  copy[index] = stripped;
  return copy;
}
