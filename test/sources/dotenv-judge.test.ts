import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import dotenv from "dotenv";
import fc from "fast-check";
import { expect, it } from "vitest";
import { scanDotenv } from "../../src/sources/dotenv-scan.js";
import { FileSource, parseFileBytes } from "../../src/sources/file-source.js";
import type { SourceBatch } from "../../src/sources/types.js";
import { tmpdir } from "../helpers/tmpdir.js";

// The judge: generated .env files, quirks included, read by the real file source and by dotenv.parse
// of the same bytes. Every key and every value must agree, and each key's line must hold that key.

const key = fc.oneof(
  fc.constantFrom("A", "B", "API_KEY", "1DIGIT", "db.url", "my-key", "export", "constructor", "__proto__", "toString", "valueOf", "hasOwnProperty"),
  fc.stringMatching(/^[A-Za-z0-9_.-]{1,8}$/),
);
const text = fc.string({
  unit: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom("x", "Y", "1", " ", "=", ":", "$", "{", "}", "\\", "#", "'", '"', "`", "\t", "\\n") },
    { weight: 2, arbitrary: fc.constantFrom("\0", "\u2028", "\u2029", "\uFEFF", "é", "日本", "🔑", "\r", "\n") },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }) },
  ),
  maxLength: 16,
});
const quoted = (q: string) => text.map((t) => `${q}${t}${q}`);
const value = fc.oneof(
  text,
  quoted("'"),
  quoted('"'),
  quoted("`"),
  fc
    .tuple(fc.constantFrom("'", '"', "`"), text, text)
    .map(([q, a, b]) => `${q}${a}${q}${b}${q}`), // closed early
  fc
    .tuple(fc.constantFrom("'", '"', "`"), text)
    .map(([q, a]) => `${q}${a}`), // never closed
  fc
    .tuple(fc.constantFrom("'", '"'), text, text)
    .map(([q, a, b]) => `${q}${a}${q}${b}`), // text after the quote
  fc.constant(""),
  fc
    .integer({ min: 1000, max: 5000 })
    .map((n) => "v".repeat(n)), // a very long line
);
const assignment = fc
  .tuple(
    fc.constantFrom("", "export ", "  ", "\t", "export\t"),
    key,
    fc.constantFrom("=", " = ", "= ", ": ", ":", ":\t", " ="),
    value,
    fc.constantFrom("", " # note", "#glued", "  "),
  )
  .map((parts) => parts.join(""));
const other = fc.constantFrom("", "# comment", "   ", "just words", "HOST:", 'KEY:"json"', "=novalue", "'");
const eol = fc.constantFrom("\n", "\n", "\r\n", "\r", "\u2028");
const file = fc
  .tuple(
    fc.boolean().map((bom) => (bom ? "\uFEFF" : "")),
    fc.array(fc.tuple(fc.oneof({ weight: 4, arbitrary: assignment }, { weight: 1, arbitrary: other }), eol), { maxLength: 10 }),
  )
  .map(([bom, lines]) => bom + lines.map(([line, end]) => line + end).join(""));

/** Checks one file's bytes: the source's keys and values against dotenv.parse, lines, spans. */
function judge(content: string, batch: SourceBatch): void {
  const bytes = Buffer.from(content, "utf8");
  const ours = new Map(batch.entries.map((e) => [e.key, e.value]));
  expect(ours).toEqual(new Map(Object.entries(dotenv.parse(bytes))));
  const lines = content.split(/\r\n|\r|\n/);
  for (const entry of batch.entries) expect(lines[(entry.origin.line ?? 0) - 1]).toContain(entry.key);
  // The span each assignment records is its value as written: dotenv reads it back alone.
  for (const a of scanDotenv(content).assignments.filter((a) => a.key !== "__proto__")) {
    const written = content.slice(a.start, a.end).replace(/\r\n?/g, "\n");
    expect(dotenv.parse(`K=${written}`).K).toBe(dotenv.parse(a.matched)[a.key]);
  }
}

it("agrees with dotenv.parse on every key and value of thousands of generated files", () => {
  let keys = 0;
  let warned = 0;
  fc.assert(
    fc.property(file, (content) => {
      const batch = parseFileBytes(Buffer.from(content, "utf8"), ".env", {});
      judge(content, batch);
      keys += batch.entries.length;
      if (batch.warnings.length > 0) warned++;
    }),
    { numRuns: 3000 },
  );
  expect(keys).toBeGreaterThan(5000);
  // The generator does reach quirky lines: a good share of files draws at least one warning.
  expect(warned).toBeGreaterThan(1000);
}, 30_000);

it("agrees through real files too (the bytes on disk, read by FileSource)", async () => {
  const dir = await tmpdir();
  const source = new FileSource(".env", { cwd: dir });
  await fc.assert(
    fc.asyncProperty(file, async (content) => {
      await writeFile(join(dir, ".env"), content);
      for await (const batch of source.read()) judge(content, batch);
    }),
    { numRuns: 200 },
  );
}, 30_000);
