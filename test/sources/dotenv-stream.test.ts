import { utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import dotenv from "dotenv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FileSource } from "../../src/sources/file-source.js";
import type { SourceEntry, SourceWarning } from "../../src/sources/types.js";
import { tmpdir } from "../helpers/tmpdir.js";

async function readAll(source: FileSource): Promise<{ entries: SourceEntry[]; warnings: SourceWarning[]; batches: number; expected?: number }> {
  const entries: SourceEntry[] = [];
  const warnings: SourceWarning[] = [];
  let batches = 0;
  let expected: number | undefined;
  for await (const b of source.read()) {
    if (batches++ === 0) expected = b.expected;
    entries.push(...b.entries);
    warnings.push(...b.warnings);
  }
  return { entries, warnings, batches, ...(expected === undefined ? {} : { expected }) };
}

const byKey = (entries: readonly SourceEntry[]) => [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
const byLine = (warnings: readonly SourceWarning[]) => [...warnings].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.message < b.message ? -1 : 1));

// Lines that repeat keys across the file, quote across lines, and give every warning dotenv-warnings.ts knows.
const key = fc.constantFrom("A", "B", "C_1", "d.e", "__proto__", "F");
const value = fc.constantFrom("1", "x y", "'q'", '"a\\nb"', "'open", '"multi', 'line"', "a#b", "v # c", "", "`t`", "==");
const line = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom("", "export ", "  "), key, fc.constantFrom("=", ": ", " = "), value).map((p) => p.join("")) },
  { weight: 1, arbitrary: fc.constantFrom("# note", "", "not an assignment", "G=", "H:", "é=ü") },
);
const file = fc.array(line, { maxLength: 60 }).map((lines) => `${lines.join("\n")}\n`);

describe("a .env read in pieces", () => {
  it("gives each key dotenv gives, with dotenv's value, once, and the whole file's warnings", async () => {
    const dir = await tmpdir();
    await fc.assert(
      fc.asyncProperty(file, fc.constantFrom("\n", "\r\n"), async (text, eol) => {
        const written = text.replace(/\n/g, eol);
        await writeFile(join(dir, ".env"), written);
        const pieces = await readAll(new FileSource(".env", { cwd: dir, piecesFrom: 0, pieceSize: 8 }));
        const whole = await readAll(new FileSource(".env", { cwd: dir }));
        const app = dotenv.parse(written);
        expect(Object.fromEntries(pieces.entries.map((e) => [e.key, e.value]))).toEqual(app);
        expect(pieces.entries).toHaveLength(Object.keys(app).length);
        expect(byKey(pieces.entries)).toEqual(byKey(whole.entries));
        expect(byLine(pieces.warnings)).toEqual(byLine(whole.warnings));
      }),
      { numRuns: 1000 },
    );
  });

  it("hands on a key from its last piece, and keys set once as they come, a slice at a time", async () => {
    const dir = await tmpdir();
    const lines = Array.from({ length: 2500 }, (_, i) => `KEY_${i}=value-${i}`);
    lines.push("KEY_7=later");
    await writeFile(join(dir, ".env"), `${lines.join("\n")}\n`);
    const read = await readAll(new FileSource(".env", { cwd: dir, piecesFrom: 0 }));
    expect(read.batches).toBe(3);
    expect(read.expected).toBe(2500);
    expect(read.entries).toHaveLength(2500);
    expect(read.entries.find((e) => e.key === "KEY_7")).toEqual({ key: "KEY_7", value: "later", origin: { source: ".env", line: 2501 } });
    expect(read.entries.find((e) => e.key === "KEY_2499")?.origin).toEqual({ source: ".env", line: 2500 });
    expect(read.warnings.map((w) => `${w.line}: ${w.message}`)).toEqual([
      expect.stringMatching(/^2501: KEY_7: set on line 8 and again on line 2501; dotenv gives the app the last one, /),
    ]);
  });

  it("refuses bytes that are not UTF-8, cut across a chunk or not", async () => {
    const dir = await tmpdir();
    const good = Buffer.from(`${"A=é\n".repeat(40_000)}`);
    await writeFile(join(dir, ".env"), Buffer.concat([good, Buffer.from([0xc3]), Buffer.from("\nB=1\n")]));
    await expect(readAll(new FileSource(".env", { cwd: dir, piecesFrom: 0 }))).rejects.toMatchObject({ code: "SOURCE_INVALID" });
    await writeFile(join(dir, ".env"), good);
    expect((await readAll(new FileSource(".env", { cwd: dir, piecesFrom: 0 }))).entries).toEqual([
      { key: "A", value: "é", origin: { source: ".env", line: 40_000 } },
    ]);
  });

  it("with --strict, stops at the first warning", async () => {
    const dir = await tmpdir();
    await writeFile(join(dir, ".env"), `${Array.from({ length: 10 }, (_, i) => `A${i}=1\n`).join("")}B=x#y\n`);
    await expect(readAll(new FileSource(".env", { cwd: dir, piecesFrom: 0, strict: true }))).rejects.toMatchObject({
      code: "SOURCE_INVALID",
      message: expect.stringMatching(/^\.env:11: B: the value stops at '#'/),
    });
  });

  it("refuses a file that changes between its two passes, even with its size and time put back", async () => {
    const dir = await tmpdir();
    const path = join(dir, ".env");
    const lines = Array.from({ length: 10_000 }, (_, i) => `KEY_${String(i).padStart(5, "0")}=v`);
    await writeFile(path, `${lines.join("\n")}\n`);
    // A whole second: a time put back from a Date keeps only milliseconds.
    const time = new Date("2026-01-01T00:00:00Z");
    await utimes(path, time, time);
    // The last key renamed to the first one: same bytes long, one key more often than counted.
    lines[9_999] = "KEY_00000=v";
    // Small pieces: the first batch comes before the second 64 KiB chunk is read.
    const source = new FileSource(".env", { cwd: dir, piecesFrom: 0, pieceSize: 1024 });
    const reading = (async () => {
      for await (const _ of source.read()) {
        await writeFile(path, `${lines.join("\n")}\n`);
        await utimes(path, time, time);
      }
    })();
    await expect(reading).rejects.toMatchObject({ code: "SOURCE_CHANGED", exitCode: 1, message: ".env: changed while it was being read" });
  });
});
