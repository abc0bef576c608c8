import { appendFile, writeFile } from "node:fs/promises";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JournalEntry } from "../../src/core/journal.js";
import { journalPath } from "../../src/core/journal-chain.js";
import { RunWrites } from "../../src/core/rollback-plan.js";
import { RunLines } from "../../src/core/rollback-slices.js";
import { tmpdir } from "../helpers/tmpdir.js";

const TARGET = "20260301T100000-abcdef";
const OTHER = "20260301T090000-123456";
const text = (entries: readonly Partial<JournalEntry>[]) =>
  entries.map((e, seq) => `${JSON.stringify({ seq, ts: "t", prev: "p", runId: TARGET, type: "intent", ...e })}\n`).join("");

/** The whole-run fold rollback made before slicing: every target line but the store's, into one `RunWrites`. */
function whole(entries: readonly Partial<JournalEntry>[]): Map<string, unknown> {
  const writes = new RunWrites();
  for (const e of JSON.parse(`[${text(entries).trim().split("\n").join(",")}]`) as JournalEntry[]) if (e.runId === TARGET && e.type !== "store") writes.add(e);
  return writes.written;
}

async function sliced(dir: string, size: number): Promise<Map<string, unknown>[]> {
  const lines = await RunLines.count(dir, TARGET);
  const slices: Map<string, unknown>[] = [];
  await lines.eachSlice(dir, size, async (writes) => {
    slices.push(new Map(writes.written));
  });
  return slices;
}

const entry = fc.record({
  runId: fc.constantFrom(TARGET, TARGET, TARGET, OTHER),
  type: fc.constantFrom<JournalEntry["type"]>("intent", "intent", "done", "done", "note", "store", "run-start"),
  name: fc.option(fc.constantFrom("A", "B", "C", "D", "E", "F", "G", "app/é", '"q"'), { nil: undefined }),
  version: fc.option(fc.constantFrom("1", "2", "v3"), { nil: undefined }),
  data: fc.option(
    fc.record(
      { toVersion: fc.constantFrom("t1", "t2"), digest: fc.constantFrom("d1", "d2"), writtenAs: fc.constantFrom(`${TARGET}-previous`, TARGET) },
      { requiredKeys: [] },
    ),
    { nil: undefined },
  ),
});

describe("RunLines: a run's writes a slice at a time", () => {
  it("property: the slices together are exactly the whole run's fold, each name handed on at its last line, `size` at a time", async () => {
    const dir = await tmpdir();
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { maxLength: 60 }), fc.integer({ min: 1, max: 4 }), async (entries, size) => {
        await writeFile(journalPath(dir), text(entries));
        const slices = await sliced(dir, size);
        const expected = whole(entries);
        // A name is complete at its last line the fold reads: an intent, or a `done` after its first intent.
        const last = new Map<string, number>();
        entries.forEach((e, i) => {
          if (e.runId !== TARGET || e.name === undefined) return;
          if (e.type === "intent" || (e.type === "done" && last.has(e.name))) last.set(e.name, i);
        });
        const order = [...last].sort((a, b) => a[1] - b[1]).map(([name]) => name);
        const chunks = Array.from({ length: Math.ceil(order.length / size) }, (_, k) => order.slice(k * size, k * size + size));
        expect(slices.map((s) => [...s.keys()])).toEqual(chunks);
        expect(new Map(slices.flatMap((s) => [...s]))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("hands a batch's names on in the order the run wrote them, a name's later lines (a rotation) waiting for them", async () => {
    const dir = await tmpdir();
    const batch = (names: string[]) => [
      ...names.map((name) => ({ type: "intent" as const, name })),
      ...names.map((name) => ({ type: "done" as const, name, version: `v-${name}` })),
    ];
    await writeFile(
      journalPath(dir),
      text([...batch(["R", "a1", "a2"]), ...batch(["b1", "b2"]), { runId: OTHER, name: "c1" }, ...batch(["c1", "R"]), ...batch(["d1"])]),
    );
    const slices = await sliced(dir, 2);
    expect(slices.map((s) => [...s.keys()])).toEqual([["a1", "a2"], ["b1", "b2"], ["c1", "R"], ["d1"]]);
    expect(slices[2]?.get("R")).toEqual({ version: "v-R" });
  });

  it("reads both passes to the length counted: lines appended meanwhile (rollback's own) are not folded", async () => {
    const dir = await tmpdir();
    await writeFile(journalPath(dir), text([{ name: "A" }, { type: "done", name: "A", version: "1" }]));
    const lines = await RunLines.count(dir, TARGET);
    await appendFile(journalPath(dir), text([{ name: "A" }, { name: "Z" }]).replaceAll('"seq":0', '"seq":7'));
    const seen: Map<string, unknown>[] = [];
    await lines.eachSlice(dir, 10, async (w) => {
      seen.push(new Map(w.written));
    });
    expect(lines.names).toBe(1);
    expect(seen).toEqual([new Map([["A", { version: "1" }]])]);
  });
});
