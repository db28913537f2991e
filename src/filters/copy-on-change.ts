/**
 * Filters never mutate the result they are given (the runtime may still hold it, e.g. for a
 * cache or a retry), and most results come through unchanged. So every helper here returns its
 * input itself when nothing changed, and otherwise a shallow copy with only the changed
 * branch replaced: untouched subtrees are shared, and an unchanged result allocates nothing.
 */

/** A JSON object (not an array, not null). */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether a JSON object has a key of its own (never one inherited, such as `constructor`). */
export function hasOwnKey(object: JsonObject, key: string): boolean {
  return Object.hasOwn(object, key);
}

/** The object with one key set to `value`, or the object itself when it already holds exactly that. */
export function withKey<T extends JsonObject>(object: T, key: string, value: unknown): T {
  if (object[key] === value) return object;
  return { ...object, [key]: value };
}

/** The object without one key, or the object itself when it has no such key. */
export function withoutKey<T extends JsonObject>(object: T, key: string): T {
  if (!hasOwnKey(object, key)) return object;
  const copy = { ...object };
  delete copy[key];
  return copy;
}

/** The object with the string at `key` passed through `change`; anything else there is left alone. */
export function withStringChanged<T extends JsonObject>(object: T, key: string, change: (text: string) => string): T {
  const text = object[key];
  return typeof text === "string" && hasOwnKey(object, key) ? withKey(object, key, change(text)) : object;
}

/** The array with every element passed through `change`, or the array itself when none changed. */
export function mapArray(array: readonly unknown[], change: (element: unknown) => unknown): readonly unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < array.length; i++) {
    const element = array[i];
    const changed = change(element);
    if (changed === element) continue;
    copy ??= array.slice();
    copy[i] = changed;
  }
  return copy ?? array;
}

/** The object with every own value passed through `change`, or the object itself when none changed. */
export function mapValues(object: JsonObject, change: (value: unknown, key: string) => unknown): JsonObject {
  let copy: JsonObject | undefined;
  for (const key of Object.keys(object)) {
    const value = object[key];
    const changed = change(value, key);
    if (changed === value) continue;
    // A JSON `__proto__` key is an own property of the parsed object, and the spread copies it
    // as one, so this assignment sets that property rather than calling the prototype setter.
    copy ??= { ...object };
    copy[key] = changed;
  }
  return copy ?? object;
}
