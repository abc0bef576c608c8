import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { parseJsonTree } from "../../src/sources/json-tree.js";
import { parseStructured, type StructuredFormat } from "../../src/sources/structured.js";

const flat = (text: string, format: StructuredFormat) =>
  Object.fromEntries(parseStructured(text, `secrets.${format}`, format).entries.map((entry) => [entry.key, entry.value]));

const failure = (run: () => unknown): { code?: string; message: string } => {
  try {
    run();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error("expected a failure");
};

describe("parseStructured", () => {
  it("joins nested keys with /", () => {
    const json = '{"db": {"user": "u", "password": "p", "replica": {"host": "h"}}, "api": "k"}';
    const yaml = "db:\n  user: u\n  password: p\n  replica:\n    host: h\napi: k\n";
    const expected = { "db/user": "u", "db/password": "p", "db/replica/host": "h", api: "k" };
    expect(flat(json, "json")).toEqual(expected);
    expect(flat(yaml, "yaml")).toEqual(expected);
  });

  it("keeps the exact text of numbers and booleans", () => {
    const json = '{"port": 5432, "ratio": 1.10, "big": 12345678901234567890, "exp": -1e3, "on": true, "off": false}';
    expect(flat(json, "json")).toEqual({ port: "5432", ratio: "1.10", big: "12345678901234567890", exp: "-1e3", on: "true", off: "false" });
    const yaml = "pin: 0012\nversion: 1.10\nflag: TRUE\nhex: 0x1F\nquoted: '0012'\nplain: yes\n";
    expect(flat(yaml, "yaml")).toEqual({ pin: "0012", version: "1.10", flag: "TRUE", hex: "0x1F", quoted: "0012", plain: "yes" });
  });

  it("takes strings byte for byte", () => {
    expect(flat('{"a": "pa$$word \\"q\\" \\n \\u00e9 \\ud83d\\ude00"}', "json")).toEqual({ a: 'pa$$word "q" \n é 😀' });
    expect(flat('a: |\n  -----BEGIN-----\n  abc\n  -----END-----\nb: "x\\ty"\n', "yaml")).toEqual({
      a: "-----BEGIN-----\nabc\n-----END-----\n",
      b: "x\ty",
    });
  });

  it.each<[string, string, StructuredFormat, string, number]>([
    ["a JSON array", '{\n  "a": {\n    "b": [1, 2]\n  }\n}', "json", "key a/b is an array; only strings, numbers and booleans can be secrets", 3],
    ["a JSON null", '{"a": null}', "json", "key a is null; only strings, numbers and booleans can be secrets", 1],
    ["a YAML list", "a:\n  b:\n    - 1\n", "yaml", "key a/b is an array; only strings, numbers and booleans can be secrets", 2],
    ["a YAML empty value", "a:\n  b:\n", "yaml", "key a/b is null; only strings, numbers and booleans can be secrets", 2],
  ])("marks %s as refused, with its path and line (the selection decides)", (_name, text, format, refused, line) => {
    const [entry] = parseStructured(text, `secrets.${format}`, format).entries;
    expect(entry).toMatchObject({ refused, origin: { source: `secrets.${format}`, line } });
  });

  it.each<[string, string, StructuredFormat, string]>([
    ["a top-level array", "[1]", "json", "secrets.json: the top level must be an object of keys to values"],
    ["an empty key", '{"a": {"": "x"}}', "json", "secrets.json:1: an empty key under a; every key needs a name"],
    ["a merge of a scalar", "a: &s x\nb:\n  <<: *s\n", "yaml", "secrets.yaml:3: a merge key (<<) must refer to a mapping or a list of mappings"],
  ])("refuses %s, naming the path", (_name, text, format, message) => {
    expect(failure(() => parseStructured(text, `secrets.${format}`, format))).toMatchObject({ code: "SOURCE_INVALID", message });
  });

  it("records the line of each key", () => {
    const yaml = "# header\ndb:\n  user: u\n\n  password: |\n    p\napi: k\n";
    const lines = parseStructured(yaml, "s.yaml", "yaml").entries.map((entry) => [entry.key, entry.origin.line]);
    expect(lines).toEqual([
      ["db/user", 3],
      ["db/password", 5],
      ["api", 7],
    ]);
    const json = '{\n  "db": {\n    "user": "u"\n  },\n  "api": "k"\n}';
    expect(parseStructured(json, "s.json", "json").entries.map((entry) => entry.origin)).toEqual([
      { source: "s.json", line: 3 },
      { source: "s.json", line: 5 },
    ]);
  });

  it("follows YAML aliases", () => {
    expect(flat("base: &b\n  user: u\ncopy: *b\n", "yaml")).toEqual({ "base/user": "u", "copy/user": "u" });
  });

  it("applies YAML merge keys as the yaml package does: written keys win, then the first merged map", () => {
    const yaml = [
      "common: &common",
      "  user: app",
      "  password: shared",
      "  db: {host: h, port: 5432}",
      "extra: &extra",
      "  user: other",
      "  region: eu",
      "prod:",
      "  password: prod-only",
      "  <<: [*common, *extra]",
      "  db: {host: prod-db}",
      '"<<": not-a-merge',
    ].join("\n");
    const got = parseStructured(yaml, "s.yaml", "yaml").entries.filter((e) => e.key.startsWith("prod/"));
    expect(Object.fromEntries(got.map((e) => [e.key, e.value]))).toEqual({
      "prod/user": "app",
      "prod/password": "prod-only",
      "prod/region": "eu",
      "prod/db/host": "prod-db",
    });
    expect(flat(yaml, "yaml")["<<"]).toBe("not-a-merge");
    // The authority: the same document read by the yaml package with merge keys on.
    const js = parseYaml(yaml, { merge: true }) as { prod: Record<string, unknown> };
    expect(js.prod).toEqual({ user: "app", password: "prod-only", region: "eu", db: { host: "prod-db" } });
    // Each merged key points at the line that wrote its value.
    expect(got.find((e) => e.key === "prod/user")?.origin.line).toBe(2);
    expect(parseStructured(yaml, "s.yaml", "yaml").warnings).toEqual([]);
  });

  it("refuses aliases that expand beyond any real file (a billion laughs) instead of running out of memory", () => {
    const levels = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      ...Array.from(
        { length: 8 },
        (_, i) => `${"bcdefghij"[i]}: &${"bcdefghij"[i]} {${Array.from({ length: 10 }, (_, k) => `k${k}: *${"abcdefghij"[i]}`).join(", ")}}`,
      ),
    ];
    expect(failure(() => parseStructured(levels.join("\n"), "bomb.yaml", "yaml"))).toMatchObject({
      code: "SOURCE_INVALID",
      message: "bomb.yaml: its aliases expand to too many values",
    });
  });

  it("warns about empty objects and keys given twice; the later one wins", () => {
    const json = '{"a": {}, "b": "1", "b": "2", "c/d": "3", "c": {"d": "4"}}';
    const { entries, warnings } = parseStructured(json, "s.json", "json");
    expect(entries.map((entry) => [entry.key, entry.value])).toEqual([
      ["b", "2"],
      ["c/d", "4"],
    ]);
    expect(warnings.map((warning) => warning.message)).toEqual([
      "key a is an empty object; nothing to migrate from it",
      "key b is given twice (lines 1 and 1); the later one wins",
      "key c/d is given twice (lines 1 and 1); the later one wins",
    ]);
    expect(parseStructured("a: 1\na: 2\n", "s.yaml", "yaml").warnings).toMatchObject([
      { line: 2, message: expect.stringMatching(/key a is given twice \(lines 1 and 2\)/) },
    ]);
  });

  it("reads an empty YAML file and a BOM", () => {
    expect(flat("", "yaml")).toEqual({});
    expect(flat("# only a comment\n", "yaml")).toEqual({});
    expect(flat('\uFEFF{"a": "b"}', "json")).toEqual({ a: "b" });
  });

  it.each<[string, string, StructuredFormat, string]>([
    ["a missing comma", '{\n  "a": "s3cr3t"\n  "b": 2\n}', "json", "bad.json:3:3: not valid JSON: expected '}'"],
    ["a bare word", '{"a": s3cr3t}', "json", "bad.json:1:7: not valid JSON: expected a value"],
    ["a truncated file", '{"a": "s3cr3t', "json", "bad.json:1:7: not valid JSON: a string is never closed"],
    ["an empty file", "", "json", "bad.json:1:1: not valid JSON: unexpected end of input"],
    ["an unclosed flow list", "a: 1\nb: [s3cr3t\n", "yaml", "bad.yaml:3:1: not valid YAML: bad indent"],
    ["a misaligned key", "a:\n  b: s3cr3t\n c: 2\n", "yaml", "bad.yaml:3:1: not valid YAML: bad indent"],
  ])("reports %s with file, line and column, never the text", (_name, text, format, message) => {
    const error = failure(() => parseStructured(text, `bad.${format}`, format));
    expect(error.code).toBe("SOURCE_INVALID");
    expect(error.message).toBe(message);
    expect(error.message).not.toContain("s3cr3t");
  });
});

// Nested objects of strings; keys without "/" so flattening cannot merge two of them. Not `<<`: yaml's
// stringify leaves it plain, and a plain `<<` is YAML's merge key (which sources honour), not a key.
const key = fc.string({ minLength: 1, maxLength: 6 }).filter((text) => !text.includes("/") && text !== "__proto__" && text !== "<<");
const { tree } = fc.letrec((tie) => ({
  tree: fc.dictionary(key, fc.oneof({ depthSize: "small" }, fc.string({ unit: "binary" }), tie("tree")), { minKeys: 1, maxKeys: 4 }),
}));

function flatten(value: unknown, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, child] of Object.entries(value as Record<string, unknown>)) {
    const path = prefix === "" ? name : `${prefix}/${name}`;
    if (typeof child === "string") out[path] = child;
    else Object.assign(out, flatten(child, path));
  }
  return out;
}

describe("parseStructured properties", () => {
  it("any nested object of strings round-trips through JSON and YAML", () => {
    fc.assert(
      fc.property(tree, fc.constantFrom(0, 2, "\t"), (object, indent) => {
        const expected = flatten(object);
        expect(flat(JSON.stringify(object, null, indent), "json")).toEqual(expected);
        expect(flat(toYaml(object), "yaml")).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("accepts exactly what JSON.parse accepts", () => {
    const mutated = fc.tuple(fc.json(), fc.nat(), fc.string({ maxLength: 2 })).map(([json, at, insert]) => {
      const cut = at % (json.length + 1);
      return json.slice(0, cut) + insert + json.slice(cut + 1);
    });
    const accepts = (parse: () => unknown) => {
      try {
        parse();
        return true;
      } catch {
        return false;
      }
    };
    fc.assert(
      fc.property(fc.oneof(fc.json(), mutated, fc.string()), (text) => {
        expect(accepts(() => parseJsonTree(text, "x.json"))).toBe(accepts(() => JSON.parse(text)));
      }),
      { numRuns: 3000 },
    );
  });
});
