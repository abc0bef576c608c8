// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are the ${secret:…} syntax under test
import dotenv from "dotenv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDotenv } from "../../src/sources/dotenv.js";
import { scrubDotenvText } from "../../src/sources/dotenv-scrub.js";

const migratedOf = (text: string, keys: readonly string[]) =>
  parseDotenv(text, ".env")
    .entries.filter((e) => keys.includes(e.key))
    .map((e) => ({ line: e.origin.line as number, value: e.value, reference: `\${secret:${e.key.toLowerCase()}}` }));

describe("scrubDotenvText", () => {
  const text = "\uFEFF# header\r\nA='one' # keep me\r\nexport B=\"two\\nlines\"\r\n\r\nC=three\r\nA=dup";

  it("replaces only the migrated values, keeping BOM, CRLF, comments, quoting and the missing final newline", () => {
    const out = scrubDotenvText(text, migratedOf(text, ["A", "B"]), "reference");
    expect(out.text).toBe("\uFEFF# header\r\nA=${secret:a} # keep me\r\nexport B=${secret:b}\r\n\r\nC=three\r\nA=${secret:a}");
    expect(out.keys.sort()).toEqual(["A", "B"]);
  });

  it("remove deletes every line of the key and adds no final newline", () => {
    const out = scrubDotenvText(text, migratedOf(text, ["A"]), "remove");
    expect(out.text).toBe('\uFEFF# header\r\nexport B="two\\nlines"\r\n\r\nC=three');
  });

  it("leaves a value that changed since the plan read it", () => {
    const out = scrubDotenvText(text, [{ line: 5, value: "not-three", reference: "${secret:c}" }], "reference");
    expect(out).toEqual({ text, keys: [], skipped: [{ key: "C", why: "changed since it was read" }] });
  });

  it("for any file: dotenv reads the scrubbed keys as references (or not at all) and every other key unchanged", () => {
    const key = fc.constantFrom("A", "B", "C", "D_1", "e.f");
    const value = fc.string({ maxLength: 12 }).filter((v) => !/[\r\n'"`#\\]/.test(v) && v.trim() === v && v !== "");
    const line = fc.oneof(
      fc
        .tuple(key, value, fc.constantFrom("", "'", '"'), fc.constantFrom("", " # c"), fc.boolean())
        .map(([k, v, q, c, ex]) => `${ex ? "export " : ""}${k}=${q}${v}${q}${c}`),
      fc.constantFrom("# comment", "", "   "),
    );
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 8 }),
        fc.constantFrom("\n", "\r\n"),
        fc.boolean(),
        fc.subarray(["A", "B", "C", "D_1", "e.f"]),
        fc.constantFrom("reference", "remove"),
        (lines, eol, final, keys, mode) => {
          const source = lines.join(eol) + (final ? eol : "");
          const before = dotenv.parse(source);
          const out = scrubDotenvText(source, migratedOf(source, keys), mode as "reference" | "remove");
          const after = dotenv.parse(out.text);
          for (const [k, v] of Object.entries(before)) {
            if (!keys.includes(k)) expect(after[k]).toBe(v);
            else if (mode === "remove") expect(after[k]).toBeUndefined();
            else expect(after[k]).toBe(`\${secret:${k.toLowerCase()}}`);
          }
          if (mode === "reference") expect(out.text.endsWith("\n")).toBe(source.endsWith("\n"));
          // Untouched lines keep their bytes and their order.
          const kept = source.split(eol).filter((l) => !keys.some((k) => new RegExp(`^(export )?${k.replace(".", "\\.")}=`).test(l)));
          const left = out.text.split(eol);
          expect(left.filter((l) => kept.includes(l))).toEqual(kept.filter((l) => left.includes(l)));
        },
      ),
      { numRuns: 300 },
    );
  });
});
