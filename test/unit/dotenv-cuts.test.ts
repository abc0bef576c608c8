import dotenv from "dotenv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DotenvCutter } from "../../src/sources/dotenv-cuts.js";

/** The text cut as the stream cuts it: pushed in the chunks given, pieces of at least `size`. */
function cut(text: string, chunks: readonly number[], size: number): string[] {
  const cutter = new DotenvCutter(size);
  const normal = text.replace(/\r\n?/g, "\n");
  const pieces: string[] = [];
  let at = 0;
  for (const length of chunks) {
    if (at >= normal.length) break;
    pieces.push(...cutter.push(normal.slice(at, at + length)));
    at += length;
  }
  pieces.push(...cutter.push(normal.slice(at)), cutter.end());
  return pieces;
}

/** What an app gets from the pieces parsed one by one: a later piece's assignment wins, order of first appearance. */
const merged = (pieces: readonly string[]) => Object.entries(Object.assign({}, ...pieces.map((p) => dotenv.parse(p))) as Record<string, string>);

// Lines built from the pieces that decide how dotenv's pattern reads a line, so quotes open on one
// line and close lines later, keys follow `export` or a `:` at a line's end, and values end in `=`.
const token = fc.constantFrom(
  "A",
  "B_1",
  "c.d",
  "K-2",
  "__proto__",
  "export",
  " ",
  "\t",
  "=",
  ":",
  "'",
  '"',
  "`",
  "\\",
  "#",
  "x",
  "==",
  "\n",
  "\n",
  "\n",
  "\r\n",
  "\r",
  "\u2028",
  "\uFEFF",
  "é",
);
const line = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom("A", "B_1", "c.d", "export A", " K"), fc.constantFrom("=", "= ", ": ", ":", " = "), fc.string({ unit: token, maxLength: 8 }))
      .map((parts) => parts.join("")),
  },
  { weight: 2, arbitrary: fc.string({ unit: token, maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom("# c", "", "  ", 'KEY="dGVzdA=="', "M='a", "b'", 'N="x\\"', 'y"') },
);
const file = fc.array(line, { maxLength: 40 }).map((lines) => lines.join("\n"));
const chunks = fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 30 });

describe("DotenvCutter", () => {
  it("cuts only where dotenv.parse of the pieces, merged, equals dotenv.parse of the whole", () => {
    fc.assert(
      fc.property(file, chunks, fc.integer({ min: 1, max: 64 }), (text, sizes, size) => {
        const pieces = cut(text, sizes, size);
        expect(pieces.join("")).toBe(text.replace(/\r\n?/g, "\n"));
        expect(merged(pieces)).toEqual(Object.entries(dotenv.parse(text)));
      }),
      { numRuns: 20000 },
    );
  });

  it("cuts a plain file into pieces no longer than the size asked for and one chunk", () => {
    const text = Array.from({ length: 1000 }, (_, i) => `KEY_${i}="value ${i}=="\n`).join("");
    const pieces = cut(text, Array(200).fill(200), 1000);
    expect(pieces.length).toBeGreaterThan(15);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThanOrEqual(1200);
  });

  it("keeps a quote that closes lines later in one piece", () => {
    const text = `A=1\nB="x\nC=2\nD=3\ny"\nE=4\n`;
    for (let size = 1; size < text.length; size++) {
      const pieces = cut(text, [1, 2, 3, 50], size);
      expect(pieces.some((p) => p.includes('B="x\nC=2\nD=3\ny"'))).toBe(true);
    }
  });
});
