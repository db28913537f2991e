import { describe, expect, it } from "vitest";
import { checkPattern, compileFilters, FilterConfigError } from "../../../src/filters/index.js";

describe("checkPattern", () => {
  it("accepts ordinary patterns with the flags it supports", () => {
    for (const pattern of ["sk-[A-Za-z0-9]{20,}", "\\bAKIA[0-9A-Z]{16}\\b", "(?i)bearer\\s+\\S+", "password=(?<pw>\\S+)", "\\d{3}-\\d{2}-\\d{4}", "-----BEGIN [A-Z ]+-----", "\\x{1F511}", "\\p{Greek}+"]) {
      expect(checkPattern(pattern), pattern).toBeUndefined();
    }
    expect(checkPattern("secret", "imsu")).toBeUndefined();
    expect(checkPattern("secret", "")).toBeUndefined();
    expect(checkPattern("secret")).toBeUndefined();
  });

  it("refuses backreferences, saying they cannot run in a linear-time engine", () => {
    expect(checkPattern("(['\"]).*?\\1")).toBe("backreferences are not supported (`\\1`): patterns run in a linear-time engine (RE2)");
    expect(checkPattern("(?<q>a)\\k<q>")).toMatch(/^backreferences are not supported .*linear-time engine/);
    expect(checkPattern("(?P<q>a)(?P=q)")).toMatch(/^backreferences are not supported .*linear-time engine/);
  });

  it("refuses lookahead and lookbehind the same way", () => {
    expect(checkPattern("password(?=:)")).toBe("lookahead is not supported (`(?=`): patterns run in a linear-time engine (RE2)");
    expect(checkPattern("key(?!s)")).toBe("lookahead is not supported (`(?!`): patterns run in a linear-time engine (RE2)");
    expect(checkPattern("(?<=token=)\\w+")).toBe("lookbehind is not supported (`(?<=`): patterns run in a linear-time engine (RE2)");
    expect(checkPattern("(?<!x)y")).toBe("lookbehind is not supported (`(?<!`): patterns run in a linear-time engine (RE2)");
  });

  it("says what else is wrong with a pattern or its flags", () => {
    expect(checkPattern("[a-")).toBe("not a valid RE2 pattern: missing closing ] (`[a-`)");
    expect(checkPattern("a++")).toBe("not a valid RE2 pattern: invalid nested repetition operator (`++`)");
    expect(checkPattern("\\u00e9")).toBe("\\uXXXX escapes are not RE2 syntax: write \\x{XXXX} instead");
    expect(checkPattern("x", "gi")).toBe('flag "g" is implied (every match is replaced): leave it out');
    expect(checkPattern("x", "y")).toBe('unknown flag "y": flags are a subset of "imsu"');
  });
});

describe("compileFilters refusing a bad config", () => {
  it("names the filter and the redaction's index", () => {
    const compile = () => compileFilters([{ name: "ok", redact: [{ pattern: "a" }] }, { name: "quotes", redact: [{ pattern: "b" }, { pattern: "(a)\\1" }] }]);
    expect(compile).toThrow(FilterConfigError);
    expect(compile).toThrow('filter "quotes" (filters[1]) redact[1].pattern: backreferences are not supported (`\\1`): patterns run in a linear-time engine (RE2)');
    try {
      compile();
    } catch (error) {
      expect(error).toMatchObject({ filterIndex: 1, field: "redact[1].pattern" });
    }
  });

  it("refuses a maxResultBytes that is not a positive integer", () => {
    expect(() => compileFilters([{ name: "zero", maxResultBytes: 0 }])).toThrow('filter "zero" (filters[0]) maxResultBytes: must be a positive integer, not 0');
  });
});
