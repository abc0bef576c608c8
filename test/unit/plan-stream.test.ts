import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NameMatcher } from "../../src/core/glob.js";
import { planMigration } from "../../src/core/plan.js";
import { planStream } from "../../src/core/plan-stream.js";
import type { CurrentSecret, SecretStore } from "../../src/providers/types.js";
import { distinctCellNames } from "../../src/sources/database-driver.js";
import type { SecretSource, SourceEntry } from "../../src/sources/types.js";

/** A source that yields its entries in the given batches, like a database cursor. */
const batched = (batches: SourceEntry[][]): SecretSource => ({
  label: "test",
  async *read() {
    for (const entries of batches) yield { entries, warnings: [] };
  },
  close: async () => {},
});

/** Only what planStream touches: readMany over a fixed state, counting calls. */
function fakeStore(state: Record<string, string>) {
  const store = {
    calls: 0,
    async readMany(names: readonly string[]) {
      store.calls++;
      const out = new Map<string, CurrentSecret>();
      for (const n of names) if (state[n] !== undefined) out.set(n, { name: n, value: state[n] as string, version: "1" });
      return out;
    },
  };
  return store;
}

const planOptions = { runId: "r", onConflict: "overwrite" as const, checkName: (n: string) => ({ stored: n }), checkValue: () => undefined };
const entry = (key: string, value: string): SourceEntry => ({ key, value, origin: { source: "t" } });

async function streamed(batches: SourceEntry[][], state: Record<string, string>, sources = [batched(batches)], naming = {}) {
  const store = fakeStore(state);
  const items = [];
  let blocked = false;
  let ops = 0;
  for await (const b of planStream(sources, store as unknown as SecretStore, { naming, filter: new NameMatcher({}), plan: planOptions })) {
    items.push(...b.plan.items);
    blocked ||= b.plan.blocked;
    ops += b.plan.ops.length;
  }
  return { items, blocked, ops, calls: store.calls };
}

describe("planStream", () => {
  it("reads current state once per batch and plans each batch", async () => {
    const r = await streamed([[entry("A", "1"), entry("B", "2")], [entry("C", "3")]], { A: "1", C: "x" });
    expect(r.calls).toBe(2);
    expect(Object.fromEntries(r.items.map((i) => [i.name, i.action]))).toEqual({ A: "unchanged", B: "create", C: "update" });
  });

  it("a name repeated in a later batch: same value is dropped, a different one is a conflict", async () => {
    const same = await streamed([[entry("A", "1")], [entry("A", "1")]], {});
    expect(same.items.map((i) => i.action)).toEqual(["create"]);
    const differ = await streamed([[entry("A", "1")], [entry("A", "2")]], {});
    expect(differ.blocked).toBe(true);
    expect(differ.items.map((i) => i.action)).toEqual(["create", "conflict"]);
  });

  it("a source of distinct keys still meets a name from an earlier source, and names a template makes equal", async () => {
    const distinct = (batches: SourceEntry[][]): SecretSource => ({
      ...batched(batches),
      distinctNames: (template) => (template ?? "{key}").includes("{key}"),
    });
    const earlier = [[entry("A", "1")], [entry("B", "1")]];
    const later = [[entry("C", "1")], [entry("A", "2")]];
    const across = await streamed([], {}, [distinct(earlier), distinct(later)]);
    expect(across.blocked).toBe(true);
    expect(across.items.filter((i) => i.action === "conflict").map((i) => i.name)).toEqual(["A"]);
    const oneName = await streamed([], {}, [distinct([[entry("A", "1")], [entry("B", "2")]])], { template: "ONE" });
    expect(oneName.blocked).toBe(true);
    const keyed = await streamed([], {}, [distinct([[entry("A", "1")], [entry("B", "2")]])], { template: "app/{key}" });
    expect(keyed.items.map((i) => [i.name, i.action])).toEqual([
      ["app/A", "create"],
      ["app/B", "create"],
    ]);
  });

  it("property: any split into batches blocks exactly when the whole plan does, and plans the same writes", async () => {
    const arbEntries = fc.array(fc.tuple(fc.constantFrom("A", "B", "C", "D", "E"), fc.constantFrom("x", "y")), { maxLength: 12 });
    const arbState = fc.dictionary(fc.constantFrom("A", "B", "C"), fc.constantFrom("x", "y"));
    await fc.assert(
      fc.asyncProperty(arbEntries, arbState, fc.array(fc.nat(12), { maxLength: 4 }), async (pairs, state, cuts) => {
        const entries = pairs.map(([k, v]) => entry(k, v));
        const bounds = [...new Set([0, ...cuts.map((c) => Math.min(c, entries.length)), entries.length])].sort((a, b) => a - b);
        const batches = bounds.slice(1).map((end, i) => entries.slice(bounds[i], end));
        const whole = planMigration(
          entries.map((e) => ({ name: e.key, value: e.value, origin: e.origin })),
          await fakeStore(state).readMany(entries.map((e) => e.key)),
          planOptions,
        );
        const r = await streamed(batches, state);
        expect(r.blocked).toBe(whole.blocked);
        if (!whole.blocked) expect(r.ops).toBe(whole.ops.length);
      }),
    );
  });
});

describe("a table's names are distinct only where the template keeps (row, column) apart", () => {
  it("the default template over columns without `/`: distinct; a template without {row}, or a column holding `/`: not", () => {
    expect(distinctCellNames(["api_key", "stripe_key"], undefined)).toBe(true);
    expect(distinctCellNames(["api_key"], "{table}/{row}/{column}")).toBe(true);
    // row "1/a" column "b" and row "1" column "a/b" would both be t/1/a/b
    expect(distinctCellNames(["b", "a/b"], undefined)).toBe(false);
    expect(distinctCellNames(["api_key"], "{table}/{column}")).toBe(false);
    expect(distinctCellNames(["api_key"], "{row}{column}")).toBe(false);
  });
});
