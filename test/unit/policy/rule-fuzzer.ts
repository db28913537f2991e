/**
 * A seeded, bounded generator of JSON-Logic rules and data for the differential tests. It leans
 * on the corners where an evaluator goes wrong: strings of digits, null, empty arrays, nested
 * objects, wrong operand counts, single operands without a list, scoped operators.
 */
import { POLICY_OPERATORS } from "../../../src/policy/operators.js";

/** Small deterministic PRNG (mulberry32), so a failing case can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PRIMITIVES: readonly unknown[] = [null, true, false, 0, 1, -1, 2, 3, 10, 0.5, -2.5, "", "0", "1", "10", "2.5", "abc", "a", "b", " ", "1e3", "-3", "true"];
const KEYS = ["a", "b", "c", "n", "s", "arr", "0", "1"];
const PATHS: readonly unknown[] = ["a", "b", "c", "a.b", "a.0", "b.1", "c.a.b", "n", "s", "arr", "arr.0", "arr.1.a", "x.y", "0", "1", "", "length", "a.b.c", 0, 1, null];
const ELEMENT_PATHS: readonly unknown[] = ["", "a", "0", "current", "accumulator", "current.a", "accumulator.0", "b", null];
const OPERATORS = [...POLICY_OPERATORS];

export class RuleFuzzer {
  private readonly random: () => number;
  /** How often each operator was generated, for the test's check that the spread is wide. */
  readonly counts = new Map<string, number>();

  /** `paths` are the `var` names and `missing` keys rules read from the root data. */
  constructor(
    seed: number,
    private readonly paths: readonly unknown[] = PATHS,
  ) {
    this.random = seededRandom(seed);
  }

  int(max: number): number {
    return Math.floor(this.random() * max);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  /** A random data value; objects and arrays nest up to `depth`. */
  data(depth = 3): unknown {
    const roll = this.random();
    if (depth <= 0 || roll < 0.4) return this.pick(PRIMITIVES);
    if (roll < 0.65) return Array.from({ length: this.int(4) }, () => this.data(depth - 1));
    const out: Record<string, unknown> = {};
    for (let i = 0, n = 1 + this.int(3); i < n; i++) out[this.pick(KEYS)] = this.data(depth - 1);
    return out;
  }

  /** A literal a rule can hold: primitives and arrays only (an object in a rule is an operation). */
  literal(depth = 2): unknown {
    if (depth <= 0 || this.chance(0.6)) return this.pick(PRIMITIVES);
    return Array.from({ length: this.int(4) }, () => this.literal(depth - 1));
  }

  /** Top-level data: mostly an object with the keys the paths use, sometimes anything at all. */
  rootData(): unknown {
    if (this.chance(0.1)) return this.data(2);
    const out: Record<string, unknown> = {};
    for (const key of KEYS) if (this.chance(0.7)) out[key] = this.data(3);
    if (this.chance(0.6)) out.arr = Array.from({ length: this.int(4) }, () => (this.chance(0.5) ? { a: this.pick(PRIMITIVES) } : this.pick(PRIMITIVES)));
    return out;
  }

  /** A random rule; `scoped` rules read elements (or reduce's current/accumulator). */
  rule(depth = 4, scoped = false): unknown {
    if (depth <= 0 || this.chance(0.25)) return this.leaf(scoped);
    const operator = this.pick(OPERATORS);
    this.counts.set(operator, (this.counts.get(operator) ?? 0) + 1);
    const sub = () => this.rule(depth - 1, scoped);
    const operands = this.operands(operator, depth, scoped, sub);
    // json-logic accepts a lone operand without the list around it.
    if (operands.length === 1 && !Array.isArray(operands[0]) && this.chance(0.3)) return { [operator]: operands[0] };
    return { [operator]: operands };
  }

  private leaf(scoped: boolean): unknown {
    const roll = this.random();
    if (roll < 0.45) return this.pick(PRIMITIVES);
    if (roll < 0.85) {
      this.counts.set("var", (this.counts.get("var") ?? 0) + 1);
      const path = this.pick(scoped ? ELEMENT_PATHS : this.paths);
      return this.chance(0.3) ? { var: [path, this.pick(PRIMITIVES)] } : this.chance(0.5) ? { var: path } : { var: [path] };
    }
    return Array.from({ length: this.int(3) }, () => this.pick(PRIMITIVES));
  }

  private operands(operator: string, depth: number, scoped: boolean, sub: () => unknown): unknown[] {
    const some = (min: number, max: number) => Array.from({ length: min + this.int(max - min + 1) }, sub);
    const keys = () => Array.from({ length: this.int(3) }, () => this.pick(scoped ? ELEMENT_PATHS : this.paths));
    switch (operator) {
      case "var":
        return this.chance(0.5) ? [sub()] : [sub(), sub()];
      case "missing":
        return this.chance(0.4) ? [keys()] : this.chance(0.5) ? keys() : [sub()];
      case "missing_some":
        return this.chance(0.8) ? [this.int(3), this.chance(0.7) ? keys() : sub()] : some(0, 2);
      case "map":
      case "filter":
      case "all":
      case "none":
      case "some":
      case "reduce": {
        const items = this.chance(0.4) ? { var: this.chance(0.5) ? this.pick(this.paths) : this.pick(["arr", "a", "b", "c", "x"]) } : this.chance(0.5) ? [this.literal(), this.literal(), this.literal(1)] : sub();
        const body = this.rule(depth - 1, true);
        if (operator === "reduce") return this.chance(0.8) ? [items, body, sub()] : [items, body];
        return this.chance(0.1) ? [items] : [items, body];
      }
      default:
        return some(0, 4);
    }
  }
}

/** Deep equality that tells -0 from 0 and counts NaN equal to NaN (Object.is on leaves). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (typeof a === "object" && typeof b === "object" && a !== null && b !== null && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a), kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

/** Runs a function, turning a throw into a marker so outcomes can be compared. */
export function outcome(run: () => unknown): { threw: true; message: string } | { threw: false; value: unknown } {
  try {
    return { threw: false, value: run() };
  } catch (error) {
    return { threw: true, message: error instanceof Error ? error.message : String(error) };
  }
}
