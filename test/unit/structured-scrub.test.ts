// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are the ${secret:…} syntax under test
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseStructured, type StructuredFormat } from "../../src/sources/structured.js";
import { scrubStructuredText } from "../../src/sources/structured-scrub.js";

const referenceOf = (path: string) => `\${secret:${path.replace(/\//g, "-")}}`;
const entriesOf = (text: string, format: StructuredFormat) => new Map(parseStructured(text, "f", format).entries.map((e) => [e.key, e.value]));
const migratedOf = (text: string, format: StructuredFormat, paths: readonly string[]) =>
  parseStructured(text, "f", format)
    .entries.filter((e) => paths.includes(e.key))
    .map((e) => ({ line: e.origin.line as number, value: e.value, reference: referenceOf(e.key) }));

describe("scrubStructuredText on JSON", () => {
  const json = '\uFEFF{\n\t"db": {\n\t\t"password": "hun\\u0074er2",\n\t\t"port": 5432\n\t},\n\t"api": "k1",\n\t"n": 1.10\n}';

  it("changes only the values' bytes: tabs, escapes, number spellings and the missing final newline stay", () => {
    const out = scrubStructuredText(json, migratedOf(json, "json", ["db/password", "db/port"]), "reference", "json");
    expect(out.text).toBe(
      '\uFEFF{\n\t"db": {\n\t\t"password": "${secret:db-password}",\n\t\t"port": "${secret:db-port}"\n\t},\n\t"api": "k1",\n\t"n": 1.10\n}',
    );
    expect(out.keys).toEqual(["db/password", "db/port"]);
  });

  it("remove takes each entry with its comma, and empties a map to {}", () => {
    const out = scrubStructuredText(json, migratedOf(json, "json", ["db/password", "db/port", "n"]), "remove", "json");
    expect(out.text).toBe('\uFEFF{\n\t"db": {},\n\t"api": "k1"\n}');
  });

  it("edits a minified file in place, several keys on its one line", () => {
    const text = '{"a":"x","b":{"c":"y","d":2},"e":"z","f":"z"}';
    const out = scrubStructuredText(text, migratedOf(text, "json", ["a", "b/c"]), "reference", "json");
    expect(out.text).toBe('{"a":"${secret:a}","b":{"c":"${secret:b-c}","d":2},"e":"z","f":"z"}');
    expect(scrubStructuredText(text, migratedOf(text, "json", ["b/c", "b/d"]), "remove", "json").text).toBe('{"a":"x","b":{},"e":"z","f":"z"}');
    // Line and value are all the plan knows of an entry: two equal values on one line cannot be told apart.
    const twins = scrubStructuredText(text, migratedOf(text, "json", ["e"]), "reference", "json");
    expect(twins).toEqual({ text, keys: [], skipped: [{ key: "line 1", why: "another key on its line holds the same value" }] });
  });

  it("leaves a value that changed since it was read", () => {
    const out = scrubStructuredText(json, [{ line: 6, value: "not-k1", reference: "${secret:api}" }], "reference", "json");
    expect(out).toEqual({ text: json, keys: [], skipped: [{ key: "line 6", why: "changed since it was read" }] });
  });
});

describe("scrubStructuredText on YAML", () => {
  const yaml = "# settings\ndb:\n    password: 'hunter2' # rotated monthly\n    port: 5432\napi: k1\nbase: &b x\nother:\n    <<: { m: merged }\n    ref: *b\n";

  it("keeps comments, order, the indentation width and the other values' spelling", () => {
    const out = scrubStructuredText(yaml, migratedOf(yaml, "yaml", ["db/password", "api"]), "reference", "yaml");
    expect(out.text).toBe(
      "# settings\ndb:\n    password: '${secret:db-password}' # rotated monthly\n    port: 5432\napi: ${secret:api}\nbase: &b x\nother:\n    <<: { m: merged }\n    ref: *b\n",
    );
  });

  it("does not rewrite an anchored value or one reached through a merge key", () => {
    const out = scrubStructuredText(yaml, migratedOf(yaml, "yaml", ["base", "other/m"]), "reference", "yaml");
    expect(out.keys).toEqual([]);
    expect(out.text).toBe(yaml);
    expect(out.skipped).toHaveLength(2);
  });

  it("remove deletes every written assignment of a duplicated key", () => {
    const text = "a: old\nb: keep\na: new\n";
    const out = scrubStructuredText(text, migratedOf(text, "yaml", ["a"]), "remove", "yaml");
    expect(out.text).toBe("b: keep\n");
  });
});

// A tree of maps and scalars; every path the source names is a candidate.
const key = fc.stringMatching(/^[a-z][a-z0-9_]{0,5}$/);
const scalar = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constantFrom("a: b", "#x", "'q'", '"d"', "\\", "-", "yes", "0012"));
const tree = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.dictionary(key, fc.oneof({ depthSize: "small" }, scalar, tie("node")), { minKeys: 1, maxKeys: 5 }),
})).node;

describe("scrubStructuredText (property)", () => {
  it("gives the references at exactly the migrated paths and leaves every other value as it was", () => {
    fc.assert(
      fc.property(
        tree,
        fc.constantFrom<StructuredFormat>("json", "yaml"),
        fc.constantFrom(2, 4, "\t"),
        fc.constantFrom("reference", "remove") as fc.Arbitrary<"reference" | "remove">,
        fc.infiniteStream(fc.boolean()),
        (value, format, indent, mode, picks) => {
          const text = format === "json" ? `${JSON.stringify(value, null, indent)}\n` : stringify(value, { indent: typeof indent === "number" ? indent : 2 });
          const before = entriesOf(text, format);
          const paths = [...before.keys()].filter(() => picks.next().value);
          const out = scrubStructuredText(text, migratedOf(text, format, paths), mode, format);
          const want = new Map(before);
          for (const p of paths) mode === "remove" ? want.delete(p) : want.set(p, referenceOf(p));
          expect(entriesOf(out.text, format)).toEqual(want);
          expect(out.keys.sort()).toEqual([...paths].sort());
          if (format === "json") expect(() => JSON.parse(out.text)).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });
});
