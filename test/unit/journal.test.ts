import { appendFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deriveKey } from "../../src/core/crypto.js";
import { claimedMac, entriesOf, GENESIS, Journal, type JournalEvent, readJournal, runsOf } from "../../src/core/journal.js";
import { verifyJournal as verifyWith } from "../../src/core/journal-verify.js";
import { tmpdir } from "../helpers/tmpdir.js";

const clock = { now: () => new Date("2025-01-02T03:04:05.000Z") };
const file = (dir: string) => join(dir, "journal.jsonl");
const key = deriveKey("k".repeat(40));
const verifyJournal = (dir: string) => verifyWith(dir, key, join(dir, "store.enc"));

async function journalWith(count: number): Promise<string> {
  const dir = await tmpdir();
  const journal = await Journal.open(dir, clock, key);
  await journal.append([{ runId: "r1", type: "run-start", command: "migrate", provider: "local" }]);
  for (let i = 2; i <= count; i++) await journal.append([{ runId: "r1", type: "note", name: `N${i}` }]);
  return dir;
}

async function editLines(dir: string, edit: (lines: string[]) => void): Promise<void> {
  const lines = (await readFile(file(dir), "utf8")).split("\n").slice(0, -1);
  edit(lines);
  await writeFile(file(dir), lines.map((l) => `${l}\n`).join(""));
}

describe("journal chain", () => {
  it("chains lines from genesis and verifies", async () => {
    const dir = await journalWith(5);
    const lines = (await readFile(file(dir), "utf8")).trimEnd().split("\n");
    const entries = await readJournal(dir);
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(entries[0]?.prev).toBe(GENESIS);
    expect(entries[3]?.prev).toBe(claimedMac(lines[2] ?? ""));
    expect(await verifyJournal(dir)).toMatchObject({ ok: true, lines: 5 });
    expect(await verifyJournal(await tmpdir())).toEqual({ ok: true, lines: 0 });
  });

  const tamperings: [string, (lines: string[]) => void, number][] = [
    ["editing a field of a middle line", (l) => (l[2] = (l[2] ?? "").replace('"N3"', '"X3"')), 3],
    ["editing a field of the last line", (l) => (l[4] = (l[4] ?? "").replace('"N5"', '"X5"')), 5],
    ["editing a prev hash", (l) => (l[2] = (l[2] ?? "").replace(/"prev":"./, '"prev":"f')), 3],
    ["deleting a middle line", (l) => l.splice(2, 1), 3],
    ["deleting the last line", (l) => l.pop(), 5],
    ["inserting a line", (l) => l.splice(2, 0, l[4] ?? ""), 3],
    ["swapping two lines", (l) => l.splice(1, 2, l[2] ?? "", l[1] ?? ""), 2],
    ["breaking a line's JSON", (l) => (l[3] = `${l[3]}x`), 4],
  ];
  for (const [what, edit, line] of tamperings) {
    it(`detects ${what} at line ${line}`, async () => {
      const dir = await journalWith(5);
      await editLines(dir, edit);
      const result = await verifyJournal(dir);
      expect(result).toMatchObject({ ok: false, line });
    });
  }

  it("keeps a deleted tail detectable after later appends", async () => {
    const dir = await journalWith(5);
    await editLines(dir, (l) => l.splice(3));
    await (await Journal.open(dir, clock, key)).append([{ runId: "r2", type: "note" }]);
    expect(await verifyJournal(dir)).toMatchObject({ ok: false, line: 4 });
  });

  it("drops an unterminated tail left by a crash and keeps a valid chain", async () => {
    const dir = await journalWith(3);
    await appendFile(file(dir), '{"seq":4,"ts":"x","run');
    expect((await readJournal(dir)).length).toBe(3);
    await (await Journal.open(dir, clock, key)).append([{ runId: "r2", type: "note" }]);
    expect(await verifyJournal(dir)).toMatchObject({ ok: true, lines: 4 });
  });

  it("a crash between the lines' fsync and the head's: the next open chains after every line the file holds", async () => {
    const dir = await journalWith(3);
    const head = await readFile(join(dir, "journal.head"));
    await (await Journal.open(dir, clock, key)).append([
      { runId: "r2", type: "note" },
      { runId: "r2", type: "note" },
    ]);
    // The head as it was before that append: its write is what the crash lost.
    await writeFile(join(dir, "journal.head"), head);
    await (await Journal.open(dir, clock, key)).append([{ runId: "r3", type: "note" }]);
    expect(await verifyJournal(dir)).toMatchObject({ ok: true, lines: 6 });
    expect((await readJournal(dir)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("opens from the head's own line: a line before it changed (same length, no key) is left for verify to find", async () => {
    const dir = await journalWith(4);
    await editLines(dir, (l) => {
      l[1] = (l[1] as string).replace('"N2"', '"X2"');
    });
    await (await Journal.open(dir, clock, key)).append([{ runId: "r2", type: "note" }]);
    expect(await verifyJournal(dir)).toMatchObject({ ok: false, line: 2 });
    expect((await readJournal(dir)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it("group-commits 100 concurrent appends in call order with a valid chain", async () => {
    const dir = await tmpdir();
    // The journal reads the clock once per batch written, so this counts the writes.
    let batches = 0;
    const counting = {
      now: () => {
        batches += 1;
        return clock.now();
      },
    };
    const journal = await Journal.open(dir, counting, key);
    await Promise.all(Array.from({ length: 100 }, (_, i) => journal.append([{ runId: "r1", type: "intent", name: `S${i}` }])));
    const entries = await readJournal(dir);
    expect(entries.map((e) => e.name)).toEqual(Array.from({ length: 100 }, (_, i) => `S${i}`));
    expect(await verifyJournal(dir)).toMatchObject({ ok: true, lines: 100 });
    expect(JSON.parse(await readFile(join(dir, "journal.head"), "utf8")).seq).toBe(100);
    expect(batches).toBeLessThanOrEqual(2);
  });

  it("refuses any event with a field named value, writing nothing", async () => {
    const dir = await tmpdir();
    const journal = await Journal.open(dir, clock, key);
    const leaky = { runId: "r1", type: "done", name: "A", value: "CANARY" } as unknown as JournalEvent;
    const ok = { runId: "r1", type: "note" } as const;
    await expect(journal.append([ok, leaky])).rejects.toMatchObject({ code: "JOURNAL_VALUE_REJECTED" });
    await expect(journal.append([{ ...ok, data: { Value: "CANARY" } }])).rejects.toThrow(/value/);
    expect(await readJournal(dir)).toEqual([]);
  });
});

describe("runsOf", () => {
  it("summarises runs and counts intents left without an outcome", async () => {
    const dir = await tmpdir();
    const journal = await Journal.open(dir, clock, key);
    await journal.append([
      { runId: "a", type: "run-start", command: "migrate", provider: "aws" },
      { runId: "a", type: "intent", provider: "aws", name: "X", action: "create" },
      { runId: "a", type: "done", provider: "aws", name: "X", version: "1" },
      { runId: "a", type: "intent", provider: "aws", name: "Y", action: "update" },
      { runId: "b", type: "run-start", command: "rotate", provider: "local" },
      { runId: "b", type: "run-end", status: "ok" },
    ]);
    const entries = await readJournal(dir);
    expect(runsOf(entries)).toEqual([
      {
        runId: "a",
        command: "migrate",
        provider: "aws",
        startedAt: clock.now().toISOString(),
        counts: { intent: 2, done: 1, failed: 0, pending: 1 },
      },
      {
        runId: "b",
        command: "rotate",
        provider: "local",
        startedAt: clock.now().toISOString(),
        endedAt: clock.now().toISOString(),
        status: "ok",
        counts: { intent: 0, done: 0, failed: 0, pending: 0 },
      },
    ]);
    expect(entriesOf(entries, "b").map((e) => e.type)).toEqual(["run-start", "run-end"]);
  });
});
