import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { holdsField } from "../../src/core/journal.js";
import { eachJournalLine, journalEnds, scanJournal } from "../../src/core/journal-scan.js";
import { tmpdir } from "../helpers/tmpdir.js";

/** What the whole file says, split the plain way: the scan must agree with it while reading 1 MiB at a time. */
function fromBytes(bytes: Buffer) {
  const end = bytes.lastIndexOf(0x0a) + 1;
  const lines = bytes.subarray(0, end).toString("utf8").split("\n").slice(0, -1);
  return { lines: lines.length, end, size: bytes.length, first: lines[0], last: lines.at(-1) };
}

describe("scanJournal", () => {
  it("a missing file is an empty journal", async () => {
    expect(await scanJournal(join(await tmpdir(), "journal.jsonl"))).toEqual({ lines: 0, end: 0, size: 0, first: undefined, last: undefined });
  });

  it("property: counts, ends and first/last lines match the whole file's, across 1 MiB chunk edges and with a torn tail", async () => {
    const dir = await tmpdir();
    const path = join(dir, "journal.jsonl");
    const line = fc.tuple(fc.integer({ min: 0, max: 300_000 }), fc.constantFrom("a", "é", "{")).map(([n, c]) => c.repeat(n));
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 14 }), fc.option(line), async (lines, tail) => {
        const bytes = Buffer.from(lines.map((l) => `${l}\n`).join("") + (tail ?? ""));
        await writeFile(path, bytes);
        expect(await scanJournal(path)).toEqual(fromBytes(bytes));
        const seen: [string, boolean][] = [];
        await eachJournalLine(path, (text, i, unterminated) => seen.push([text, unterminated]) && expect(i).toBe(seen.length - 1));
        const whole = bytes.toString("utf8").split("\n");
        const torn = whole.pop() as string;
        expect(seen).toEqual([...whole.map((text) => [text, false]), ...(torn === "" ? [] : [[torn, true]])]);
      }),
      { numRuns: 40 },
    );
  });

  it("property: a line is passed over by its text only when its entry really lacks that field's value", () => {
    const done = holdsField("type", "done");
    const text = fc.string({ unit: fc.constantFrom("a", '"', "\\", ":", ",", "}", "{", "d", "o", "n", "e", "t", "y", "p") });
    fc.assert(
      fc.property(fc.constantFrom("intent", "done", "failed", "note"), text, text, (type, name, runId) => {
        const line = JSON.stringify({ seq: 1, ts: "t", runId, type, name, data: { note: `"type":"done"` }, prev: "0" });
        expect(done(line)).toBe(type === "done");
      }),
    );
  });
});

describe("journalEnds", () => {
  it("property: the first line and the line ending at the head's length are the file's, and what follows is told apart, across 64 KiB windows", async () => {
    const path = join(await tmpdir(), "journal.jsonl");
    const line = fc.tuple(fc.integer({ min: 0, max: 150_000 }), fc.constantFrom("a", "é", "{")).map(([n, c]) => c.repeat(n));
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 8 }), fc.nat(), fc.option(line), async (lines, pick, tail) => {
        const bytes = Buffer.from(lines.map((l) => `${l}\n`).join("") + (tail ?? ""));
        await writeFile(path, bytes);
        const upTo = pick % lines.length;
        const at = Buffer.byteLength(
          lines
            .slice(0, upTo + 1)
            .map((l) => `${l}\n`)
            .join(""),
        );
        const after = at === bytes.length ? "nothing" : bytes.subarray(at).includes(0x0a) ? "lines" : "torn";
        expect(await journalEnds(path, at)).toEqual({ first: lines[0], last: lines[upTo], after });
        // A length that is not a line's end, or past the file, finds nothing to trust.
        if (bytes[at - 2] !== 0x0a && at > 1) expect(await journalEnds(path, at - 1)).toBeUndefined();
        expect(await journalEnds(path, bytes.length + 1)).toBeUndefined();
      }),
      { numRuns: 40 },
    );
  });
});
