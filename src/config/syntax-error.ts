/**
 * A config file that cannot be parsed: the parser's reason and the 1-based line and column of
 * the first offending character, so `validate` can point at it (`file:3:67`).
 */
export class ConfigSyntaxError extends Error {
  override name = "ConfigSyntaxError";
  constructor(
    readonly file: string | undefined,
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${reason} (line ${line}, column ${column})`);
  }
}

/**
 * The JSON loader handed to cosmiconfig. Its default loader keeps the reason and position only
 * inside a code frame, which a one-line report cannot show; V8's own message names the reason,
 * and the position when it knows it (not for an unexpected token on Node 20, hence the scan).
 */
export function parseJsonConfig(file: string, content: string): unknown {
  try {
    return JSON.parse(content);
  } catch (error) {
    const message = (error as Error).message;
    const reason = message
      .replace(/,\s*(\.\.\.)?".*"(\.\.\.)? is not valid JSON$/s, "")
      .replace(/ (in|after) JSON at position \d+.*$/s, (_m, word: string) => (word === "after" ? " after the JSON value" : ""))
      .replace(/ \(line \d+ column \d+\)$/, "");
    const offset = firstJsonErrorOffset(content);
    const { line, column } = lineAndColumn(content, offset);
    throw new ConfigSyntaxError(file, reason, line, column);
  }
}

/** YAML errors (js-yaml) carry a 0-based mark and a reason; the same shape as JSON's. */
export function fromYamlException(error: Error): ConfigSyntaxError | undefined {
  const e = error as Error & { reason?: string; mark?: { line: number; column: number } };
  if (e.name !== "YAMLException" || !e.mark || typeof e.reason !== "string") return undefined;
  // cosmiconfig names the file only in the message it rewrites: "YAML Error in FILE:\n…".
  const file = /^YAML Error in (.+?):\n/.exec(e.message)?.[1];
  return new ConfigSyntaxError(file, e.reason, e.mark.line + 1, e.mark.column + 1);
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

const LITERAL = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/y;

/**
 * The offset of the first character that makes `text` invalid JSON (text.length for a file
 * that ends too early). Only runs after JSON.parse failed, so it needs to find, not to build.
 */
export function firstJsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (at: number): never => {
    throw at;
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") return container("}", true);
    if (c === "[") return container("]", false);
    if (c === '"') return string();
    LITERAL.lastIndex = i;
    if (!LITERAL.test(text)) {
      // `tru}` breaks at the `}`, where the parser stopped, not at the `t`.
      const word = ["true", "false", "null"].find((w) => w[0] === c) ?? "";
      let j = 0;
      while (j < word.length && text[i + j] === word[j]) j++;
      fail(i + j);
    }
    i = LITERAL.lastIndex;
  };
  const string = () => {
    STRING.lastIndex = i;
    if (!STRING.test(text)) {
      // Point at the character that breaks the string (or the end of the file).
      let j = i + 1;
      while (j < text.length && text[j] !== '"') {
        if (text.charCodeAt(j) < 0x20) fail(j);
        if (text[j] === "\\" && !/^(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/.test(text.slice(j + 1, j + 6))) fail(j);
        j += text[j] === "\\" ? 2 : 1;
      }
      fail(j);
    }
    i = STRING.lastIndex;
  };
  const container = (close: string, object: boolean) => {
    i++;
    ws();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      if (object) {
        ws();
        if (text[i] !== '"') fail(i);
        string();
        ws();
        if (text[i] !== ":") fail(i);
        i++;
      }
      value();
      ws();
      if (text[i] === ",") {
        i++;
        // A trailing comma: the offending character is the closing bracket after it.
        ws();
        if (text[i] === close) fail(i);
        continue;
      }
      if (text[i] === close) {
        i++;
        return;
      }
      fail(i);
    }
  };
  try {
    value();
    ws();
    return i < text.length ? i : text.length;
  } catch (at) {
    if (typeof at === "number") return Math.min(at, text.length);
    throw at;
  }
}
