import { describe, expect, it } from "vitest";
import { API_KEY, filterFor, SECRET, snapshot, toolCall } from "./helpers.js";

const redactKeys = [{ name: "secrets", redact: [API_KEY] }];

describe("redaction in tools/call results", () => {
  const filter = filterFor(redactKeys);

  it("replaces a secret in text content and keeps the text around it", () => {
    const result = { content: [{ type: "text", text: `your key is ${SECRET}, keep it safe` }] };
    expect(filter.apply(result)).toEqual({ content: [{ type: "text", text: "your key is [REDACTED], keep it safe" }] });
  });

  it("replaces every occurrence, not only the first", () => {
    const result = { content: [{ type: "text", text: `${SECRET} and ${SECRET}` }] };
    expect(filter.apply(result)).toEqual({ content: [{ type: "text", text: "[REDACTED] and [REDACTED]" }] });
  });

  it("reaches secrets anywhere in structuredContent: nested objects and arrays", () => {
    const result = {
      content: [],
      structuredContent: { user: { name: "Ada", tokens: [{ value: SECRET }, "plain", `Bearer ${SECRET}`] }, count: 3, ok: true, none: null },
    };
    expect(filter.apply(result)).toEqual({
      content: [],
      structuredContent: { user: { name: "Ada", tokens: [{ value: "[REDACTED]" }, "plain", "Bearer [REDACTED]"] }, count: 3, ok: true, none: null },
    });
  });

  it("reaches the text of an embedded resource and leaves its uri alone", () => {
    const result = { content: [{ type: "resource", resource: { uri: "file:///etc/app.env", text: `KEY=${SECRET}` } }] };
    expect(filter.apply(result)).toEqual({ content: [{ type: "resource", resource: { uri: "file:///etc/app.env", text: "KEY=[REDACTED]" } }] });
  });

  it("redacts a resource link's description but not its uri or name, which clients follow", () => {
    const link = { type: "resource_link", uri: `https://x.example/${SECRET}`, name: SECRET, description: `created with ${SECRET}` };
    expect(filter.apply({ content: [link] })).toEqual({ content: [{ ...link, description: "created with [REDACTED]" }] });
  });

  it("leaves blobs, image and audio data untouched even when they happen to match", () => {
    const result = {
      content: [
        { type: "resource", resource: { uri: "file:///k.bin", blob: SECRET } },
        { type: "image", data: SECRET, mimeType: "image/png" },
        { type: "audio", data: SECRET, mimeType: "audio/wav" },
      ],
    };
    expect(filter.apply(result)).toEqual(result);
  });

  it("treats tasks/result payloads like tools/call results", () => {
    const tasks = filterFor(redactKeys, { ...toolCall(), method: "tasks/result" });
    expect(tasks.apply({ content: [{ type: "text", text: SECRET }], _meta: { note: SECRET } })).toEqual({ content: [{ type: "text", text: "[REDACTED]" }], _meta: { note: SECRET } });
  });

  it("does not mutate the result it is given, and returns a new object even when nothing matched", () => {
    const result = { content: [{ type: "text", text: `key ${SECRET}` }, { type: "text", text: "clean" }], structuredContent: { a: [SECRET] } };
    const before = snapshot(result);
    const filtered = filter.apply(result);
    expect(result).toEqual(before);
    expect(filtered.content).not.toBe(result.content);
    const clean = { content: [{ type: "text", text: "nothing here" }] };
    const untouched = filter.apply(clean);
    expect(untouched).toEqual(clean);
    expect(untouched).not.toBe(clean);
    expect(untouched.content).toBe(clean.content); // shared: nothing in it changed
  });

  it("redacts a value under a JSON __proto__ key instead of leaving it behind", () => {
    const result = JSON.parse(`{"content":[],"structuredContent":{"__proto__":"${SECRET}"}}`) as Record<string, unknown>;
    const filtered = filter.apply(result);
    expect(JSON.stringify(filtered)).toBe('{"content":[],"structuredContent":{"__proto__":"[REDACTED]"}}');
    expect(Object.getPrototypeOf(filtered.structuredContent)).toBe(Object.prototype);
  });
});

describe("redaction in resources/read and prompts/get results", () => {
  it("redacts each text content of resources/read and leaves blob contents alone", () => {
    const filter = filterFor(redactKeys, { method: "resources/read", kind: "resource", name: "file:///app.env", backend: "files" });
    const result = { contents: [{ uri: "file:///app.env", text: `TOKEN=${SECRET}` }, { uri: "file:///app.bin", blob: SECRET }] };
    expect(filter.apply(result)).toEqual({ contents: [{ uri: "file:///app.env", text: "TOKEN=[REDACTED]" }, { uri: "file:///app.bin", blob: SECRET }] });
  });

  it("redacts a prompt's description and its messages: text, embedded resources, arrays of blocks", () => {
    const filter = filterFor(redactKeys, { method: "prompts/get", kind: "prompt", name: "crm__greet", backend: "crm" });
    const result = {
      description: `uses ${SECRET}`,
      messages: [
        { role: "user", content: { type: "text", text: `call with ${SECRET}` } },
        { role: "assistant", content: { type: "resource", resource: { uri: "mem://k", text: SECRET } } },
        { role: "user", content: [{ type: "text", text: SECRET }, { type: "image", data: SECRET, mimeType: "image/png" }] },
      ],
    };
    expect(filter.apply(result)).toEqual({
      description: "uses [REDACTED]",
      messages: [
        { role: "user", content: { type: "text", text: "call with [REDACTED]" } },
        { role: "assistant", content: { type: "resource", resource: { uri: "mem://k", text: "[REDACTED]" } } },
        { role: "user", content: [{ type: "text", text: "[REDACTED]" }, { type: "image", data: SECRET, mimeType: "image/png" }] },
      ],
    });
  });

  it("redacts every string of a result of any other method, except base64 data", () => {
    const filter = filterFor(redactKeys, { method: "completion/complete", kind: "prompt", name: "crm__greet", backend: "crm" });
    expect(filter.apply({ completion: { values: [SECRET, "ok"], hasMore: false } })).toEqual({ completion: { values: ["[REDACTED]", "ok"], hasMore: false } });
  });
});

describe("redaction options", () => {
  it("uses the configured replacement literally: $ has no special meaning", () => {
    const filter = filterFor([{ name: "s", redact: [{ pattern: "(sk)-\\w+", replacement: "<$1 $& $$>" }] }]);
    expect(filter.apply({ content: [{ type: "text", text: `a ${SECRET} b` }] })).toEqual({ content: [{ type: "text", text: "a <$1 $& $$> b" }] });
  });

  it("honours the i, m and s flags", () => {
    const text = (filter: ReturnType<typeof filterFor>, input: string) => (filter.apply({ content: [{ type: "text", text: input }] }).content as { text: string }[])[0]!.text;
    expect(text(filterFor([{ name: "i", redact: [{ pattern: "password=\\S+", flags: "i" }] }]), "PASSWORD=hunter2 ok")).toBe("[REDACTED] ok");
    expect(text(filterFor([{ name: "m", redact: [{ pattern: "^secret: .*$", flags: "m" }] }]), "a\nsecret: x\nb")).toBe("a\n[REDACTED]\nb");
    expect(text(filterFor([{ name: "s", redact: [{ pattern: "BEGIN.*END", flags: "su" }] }]), "x BEGIN\nkey\nEND y")).toBe("x [REDACTED] y");
  });

  it("keeps characters outside the BMP intact around a match", () => {
    const filter = filterFor(redactKeys);
    expect(filter.apply({ content: [{ type: "text", text: `🔑${SECRET}é😀` }] })).toEqual({ content: [{ type: "text", text: "🔑[REDACTED]é😀" }] });
  });

  it.each([
    ["starts with a literal", "sk-[A-Za-z0-9]{20,}", SECRET],
    ["has no literal prefix", "(?i)[a-z]+-key:\\s*\\S+", "Deploy-Key: abc123"],
  ])("finds secrets anywhere in long texts when the pattern %s", (_, pattern, secret) => {
    const filter = filterFor([{ name: "s", redact: [{ pattern }] }]);
    const filler = "lorem ipsum dolor sit amet\n".repeat(200);
    const text = `${secret} ${filler}${secret}\n${filler} ${secret}`;
    const expected = `[REDACTED] ${filler}[REDACTED]\n${filler} [REDACTED]`;
    const got = (filter.apply({ content: [{ type: "text", text }] }).content as { text: string }[])[0]!.text;
    expect(got === expected, got.slice(0, 80)).toBe(true);
    const clean = { content: [{ type: "text", text: filler }] };
    expect(filter.apply(clean).content).toBe(clean.content);
  });

  it("skips empty matches instead of splicing the replacement between every character", () => {
    const filter = filterFor([{ name: "s", redact: [{ pattern: "x*" }] }]);
    expect(filter.apply({ content: [{ type: "text", text: "abxxc" }] })).toEqual({ content: [{ type: "text", text: "ab[REDACTED]c" }] });
  });

  it("runs patterns of several filters in config order, each on what the one before left", () => {
    const filter = filterFor([
      { name: "keys", redact: [API_KEY] },
      { name: "marks", redact: [{ pattern: "\\[REDACTED\\]", replacement: "***" }] },
    ]);
    expect(filter.names).toEqual(["keys", "marks"]);
    expect(filter.apply({ content: [{ type: "text", text: SECRET }] })).toEqual({ content: [{ type: "text", text: "***" }] });
  });

  it("redactValue redacts every string leaf of call arguments, and nothing else", () => {
    const filter = filterFor([{ name: "s", redact: [API_KEY], stripFields: ["token"], maxResultBytes: 1 }]);
    const args = { token: SECRET, nested: [{ auth: `Bearer ${SECRET}` }], n: 1 };
    const before = snapshot(args);
    expect(filter.redactValue(args)).toEqual({ token: "[REDACTED]", nested: [{ auth: "Bearer [REDACTED]" }], n: 1 });
    expect(filter.redactValue(SECRET)).toBe("[REDACTED]");
    expect(args).toEqual(before);
  });
});

describe("patterns that would hang a backtracking engine", () => {
  const aaa = "a".repeat(50_000);

  it.each([
    ["(a+)+$", aaa, "[REDACTED]"],
    ["(a+)+$", `${aaa}b`, `${aaa}b`],
    ["(a|aa)+c", aaa, aaa],
    ["(.*a){20}", aaa, "[REDACTED]"],
    ["(x+x+)+y", `${"x".repeat(50_000)}!`, `${"x".repeat(50_000)}!`],
  ])("%s over 50 KB finishes promptly and still redacts correctly (case %#)", (pattern, text, expected) => {
    const filter = filterFor([{ name: "evil", redact: [{ pattern }] }]);
    const started = performance.now();
    const filtered = filter.apply({ content: [{ type: "text", text }] });
    expect(performance.now() - started).toBeLessThan(2_000);
    const got = (filtered.content as { text: string }[])[0]!.text;
    // Compared as a boolean: a failure would otherwise print 50 KB of a's.
    expect(got === expected, `got ${got.length} characters starting ${JSON.stringify(got.slice(0, 20))}`).toBe(true);
  });
});
