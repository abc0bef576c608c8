import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseJsonArray } from "../../src/core/json-array.js";

// Strings built to hold the cut's own bytes, quotes and escapes, where a naive split would go wrong.
const tricky = fc.string({
  unit: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom("},{", "}", "{", ",", '"', "\\", '\\"', "[", "]", ":", "null", " ") },
    { weight: 2, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }) },
    { weight: 1, arbitrary: fc.nat(0xffff).map((c) => String.fromCharCode(c)) },
  ),
  maxLength: 12,
});
const leaf = fc.oneof(tricky, fc.integer(), fc.boolean(), fc.constant(null));
const value = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("value"), { maxLength: 3 }), fc.dictionary(tricky, tie("value"), { maxKeys: 3 })),
})).value;
const element = fc.oneof({ weight: 8, arbitrary: fc.dictionary(tricky, value, { maxKeys: 4 }) }, { weight: 1, arbitrary: value });

/** As a store line holds it: ASCII read as Latin-1, anything else as UTF-8. */
function judge(array: unknown[], prefix = "", suffix = ""): void {
  const text = JSON.stringify(array);
  const bytes = Buffer.from(`${prefix}${text}${suffix}`, "utf8");
  const from = Buffer.byteLength(prefix);
  const to = bytes.length - Buffer.byteLength(suffix);
  const encoding = bytes.every((b) => b < 0x80) ? "latin1" : "utf8";
  expect(parseJsonArray(bytes, from, to, encoding, 0)).toEqual(JSON.parse(text));
}

describe("parseJsonArray", () => {
  it("gives JSON.parse's array for any array, cut or not", () => {
    fc.assert(
      fc.property(fc.array(element, { maxLength: 12 }), tricky, (array, around) => judge(array, `${around}\t`, "\n")),
      { numRuns: 5000 },
    );
  });

  it("reads a store line's secrets in pieces, and a string holding the separator whole", () => {
    const secret = (note: string) => ({ nextVersion: 2, labels: { current: "1" }, versions: { "1": { sealed: "v1.a.b.c", digest: "d" } }, meta: { note } });
    judge(Array.from({ length: 1000 }, (_, i) => secret(`n${i}`)));
    judge([secret('a},{"b":"c'), secret("},{"), secret("plain")]);
    judge([secret("x"), null, secret("y")]);
  });

  it("refuses what JSON.parse refuses", () => {
    const bytes = Buffer.from('[{"a":1},{"b":]');
    expect(() => parseJsonArray(bytes, 0, bytes.length, "latin1", 0)).toThrow(SyntaxError);
  });
});
