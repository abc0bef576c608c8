import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deriveKey } from "../../src/core/crypto.js";
import { appendSealed, writeSealed } from "../../src/core/store-seal.js";
import { StorePages } from "../../src/providers/local/pages.js";
import { LocalStore } from "../../src/providers/local/store.js";
import type { PriorState } from "../../src/providers/types.js";
import { localCurrentValues, storeDocument } from "../helpers/local-store-file.js";
import { tmpdir } from "../helpers/tmpdir.js";

const MATERIAL = "k".repeat(40);
const KEY = deriveKey(MATERIAL);
const ENV = { SECRETS_ENCRYPTION_KEY: MATERIAL };
const clock = () => new Date("2026-01-01T00:00:00Z");

/** Values as the file's bytes hold them, decrypted by the test helper, not the store. */
async function onDisk(dir: string): Promise<Map<string, string>> {
  const held = await localCurrentValues(dir, ENV, join(dir, "store.enc"));
  return new Map([...held].map(([name, { value }]) => [name, value]));
}

/** A store at `dir/store.enc` holding `values`, one saved line per group. */
async function storeWith(dir: string, ...groups: Record<string, string>[]): Promise<string> {
  const path = join(dir, "store.enc");
  const writer = new LocalStore(path, KEY, clock);
  for (const group of groups) {
    for (const [name, value] of Object.entries(group)) await writer.write({ kind: "create", name, value, runId: "r0" });
    await writer.flush();
  }
  await writer.close();
  return path;
}

type Op = { kind: "put"; name: string; value: string } | { kind: "undo"; name: string } | { kind: "flush" } | { kind: "reopen" };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("put" as const),
    name: fc.constantFrom("A", "B", "__proto__", "x/y", "ключ"),
    value: fc.string({ minLength: 1, maxLength: 300 }),
  }),
  fc.record({ kind: fc.constant("undo" as const), name: fc.constantFrom("A", "B", "__proto__", "x/y", "ключ") }),
  fc.constant({ kind: "flush" as const }),
  fc.constant({ kind: "reopen" as const }),
);

describe("the paged local store", () => {
  it("after any mix of writes, reverts, flushes and rewrites, the file holds exactly what was flushed", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const dir = join(await tmpdir(), `s${n++}`);
        const path = join(dir, "store.enc");
        // Rewritten whenever the file is over twice what is live: compaction runs often.
        const fresh = () => new LocalStore(path, KEY, clock, undefined, 1);
        let store = fresh();
        const model = new Map<string, string>();
        let flushed = new Map<string, string>();
        const undo = new Map<string, { runId: string; prior: PriorState }>();
        let run = 0;
        for (const o of ops) {
          if (o.kind === "put") {
            const current = (await store.readMany([o.name])).get(o.name);
            // Read back through the store too: a name it failed to find would be created afresh, which the file alone would not show.
            expect(current?.value).toBe(model.get(o.name));
            const runId = `r${run++}`;
            await store.write(
              current
                ? { kind: "update", name: o.name, value: o.value, expectedVersion: current.version, runId }
                : { kind: "create", name: o.name, value: o.value, runId },
            );
            undo.set(o.name, {
              runId,
              prior: current ? { name: o.name, existed: true, version: current.version, value: current.value } : { name: o.name, existed: false },
            });
            model.set(o.name, o.value);
          } else if (o.kind === "undo") {
            const last = undo.get(o.name);
            if (!last) continue;
            expect(await store.revert({ name: o.name, runId: last.runId, prior: last.prior })).toBe("reverted");
            undo.delete(o.name);
            if (last.prior.value === undefined) model.delete(o.name);
            else model.set(o.name, last.prior.value);
          } else if (o.kind === "flush") {
            await store.flush();
            flushed = new Map(model);
            expect(await onDisk(dir)).toEqual(flushed);
          } else {
            // Unflushed changes are dropped with the store, as a crash would drop them.
            await store.close();
            store = fresh();
            model.clear();
            for (const [k, v] of flushed) model.set(k, v);
            undo.clear();
          }
        }
        await store.flush();
        await store.close();
        expect(await onDisk(dir)).toEqual(model);
      }),
      { numRuns: 60 },
    );
  });

  it("rewrites keep the file near what is live: 20 rounds over 300 secrets never reach 4× the file after round three", async () => {
    const dir = await tmpdir();
    const path = join(dir, "store.enc");
    const sizes: number[] = [];
    for (let round = 0; round < 20; round++) {
      const store = new LocalStore(path, KEY, clock, undefined, 1);
      const current = await store.readMany(Array.from({ length: 300 }, (_, i) => `S${i}`));
      for (let i = 0; i < 300; i++) {
        const had = current.get(`S${i}`);
        const value = `value-${round}-${i}-${"x".repeat(200)}`;
        await store.write(
          had
            ? { kind: "update", name: `S${i}`, value, expectedVersion: had.version, runId: `r${round}` }
            : { kind: "create", name: `S${i}`, value, runId: `r${round}` },
        );
      }
      await store.flush();
      await store.close();
      sizes.push((await stat(path)).size);
    }
    // Without rewrites the file would hold all 20 rounds; with them it stays within a few rounds' worth.
    expect(Math.max(...sizes)).toBeLessThan(4 * (sizes[2] ?? 0));
    const values = await onDisk(dir);
    expect(values.size).toBe(300);
    expect(values.get("S7")).toBe(`value-19-7-${"x".repeat(200)}`);
  });

  it("a store in the earlier one-document layout reads as it was, and its first write rewrites it as lines", async () => {
    const dir = await tmpdir();
    const path = join(dir, "store.enc");
    const writer = new LocalStore(join(dir, "scratch.enc"), KEY, clock);
    await writer.write({ kind: "create", name: "OLD", value: "old-value", runId: "r0" });
    await writer.write({ kind: "create", name: "GONE", value: "gone-value", runId: "r0" });
    await writer.write({ kind: "create", name: "NEW", value: "new-value", runId: "r0" });
    await writer.flush();
    await writer.close();
    // The earlier layout, built with the earlier writer: a snapshot document, then a patch deleting GONE and adding NEW.
    const { OLD, GONE, NEW } = storeDocument(await readFile(join(dir, "scratch.enc"), "utf8")).secrets;
    const seal = await writeSealed(path, JSON.stringify({ format: "secretshift-store/1", secrets: { OLD, GONE } }), KEY, undefined);
    await appendSealed(path, JSON.stringify({ GONE: null, NEW }), KEY, seal);
    expect((await readFile(path, "utf8")).split("\n")[0]).toContain('"secretshift-store-seal/1"');

    const store = new LocalStore(path, KEY, clock);
    expect(await store.list("")).toEqual(["NEW", "OLD"]);
    expect((await store.readMany(["OLD"])).get("OLD")?.value).toBe("old-value");
    await store.write({ kind: "update", name: "OLD", value: "new-value", expectedVersion: "1", runId: "r1" });
    await store.flush();
    await store.close();
    const text = await readFile(path, "utf8");
    expect(text.split("\n")[0]).toContain('"secretshift-store-seal/2"');
    expect(Object.keys(storeDocument(text).secrets).sort()).toEqual(["NEW", "OLD"]);
    expect(await onDisk(dir)).toEqual(
      new Map([
        ["OLD", "new-value"],
        ["NEW", "new-value"],
      ]),
    );
  });

  it("a line changed after the store was opened is refused when it is read, never trusted from the open", async () => {
    const path = await storeWith(await tmpdir(), { A: "value-a" }, { B: "value-b" }, { C: "value-c" });
    const reader = new LocalStore(path, KEY, clock);
    expect((await reader.readMany(["A"])).get("A")?.value).toBe("value-a");
    const text = await readFile(path, "utf8");
    // The last line, C's.
    const at = text.lastIndexOf('"runId":"r0"');
    const edited = `${text.slice(0, at)}"runId":"r9"${text.slice(at + 12)}`;
    expect(edited).not.toBe(text);
    await writeFile(path, edited);
    // B's line was read ahead while A's was parsed, before the edit, and is verified now that it is used.
    expect((await reader.readMany(["B"])).get("B")?.value).toBe("value-b");
    // C's, read ahead while B's was parsed, after the edit.
    await expect(reader.readMany(["C"])).rejects.toMatchObject({ code: "STORE_TAMPERED" });
    await reader.close();
  });

  it("a write made by another process between planning and writing is seen: compare-and-set refuses the stale plan", async () => {
    const dir = await tmpdir();
    const path = await storeWith(dir, { S: "one" });

    const planner = new LocalStore(path, KEY, clock);
    const planned = (await planner.readMany(["S"])).get("S");
    const other = new LocalStore(path, KEY, clock);
    await other.write({ kind: "update", name: "S", value: "two", expectedVersion: "1", runId: "r1" });
    await other.flush();
    await other.close();
    await expect(planner.write({ kind: "update", name: "S", value: "three", expectedVersion: planned?.version, runId: "r2" })).rejects.toThrow(
      /changed since it was planned/,
    );
    await planner.close();
    expect((await onDisk(dir)).get("S")).toBe("two");
  });

  it("a secret read twice from the same page comes back as it is on disk, even after the first copy was changed", async () => {
    const path = await storeWith(await tmpdir(), { A: "value-a", B: "value-b" });
    const pages = await StorePages.open(path, KEY);
    const first = (await pages.get(["A"])).get("A");
    if (first) first.labels = {};
    expect((await pages.get(["B"])).get("B")?.labels.current).toBe("1");
    expect((await pages.get(["A"])).get("A")?.labels.current).toBe("1");
    await pages.close();
  });

  it("a line longer than the scan's read size (1,000 values of 6 KB) opens and reads back", async () => {
    const dir = await tmpdir();
    const values = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`BIG_${i}`, `${i}-${"v".repeat(6000)}`]));
    const path = await storeWith(dir, { FIRST: "first" }, values, { LAST: "last" });
    const store = new LocalStore(path, KEY, clock);
    const read = await store.readMany(["FIRST", "BIG_999", "LAST"]);
    expect([read.get("FIRST")?.value, read.get("BIG_999")?.value, read.get("LAST")?.value]).toEqual(["first", values.BIG_999, "last"]);
    await store.close();
    expect((await onDisk(dir)).size).toBe(1002);
  });
});
