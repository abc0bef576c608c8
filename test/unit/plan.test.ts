import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type DesiredSecret, planMigration } from "../../src/core/plan.js";
import type { CurrentSecret } from "../../src/providers/types.js";

const ok = { checkName: (n: string) => ({ stored: n }), checkValue: (v: string) => (v === "too-long-value" ? "at most 8 characters" : undefined) };
const desired = (name: string, value: string, source = ".env"): DesiredSecret => ({ name, value, origin: { source } });
const current = (entries: [string, string, string][]) =>
  new Map<string, CurrentSecret>(entries.map(([name, value, version]) => [name, { name, value, version }]));

describe("planMigration", () => {
  it("classifies create, update, unchanged, skip, conflict and invalid", () => {
    const have = current([
      ["same", "v1", "1"],
      ["diff", "old", "3"],
      ["gone", "x", "9"],
    ]);
    const want = [desired("same", "v1"), desired("diff", "new"), desired("new", "fresh"), desired("long", "too-long-value")];
    const byAction = (onConflict: "fail" | "skip" | "overwrite") =>
      Object.fromEntries(planMigration(want, have, { ...ok, runId: "r", onConflict }).items.map((i) => [i.name, i.action]));
    expect(byAction("fail")).toEqual({ same: "unchanged", diff: "conflict", new: "create", long: "invalid" });
    expect(byAction("skip").diff).toBe("skip");
    expect(byAction("overwrite").diff).toBe("update");
  });

  it("an empty value is skipped with its reason, never invalid and never blocking", () => {
    const plan = planMigration([desired("EMPTY", ""), desired("had", ""), desired("A", "v")], current([["had", "old", "4"]]), {
      ...ok,
      checkValue: () => "this provider refuses everything",
      runId: "r",
      onConflict: "fail",
    });
    expect(plan.items.filter((i) => i.action === "skip")).toEqual([
      { name: "EMPTY", action: "skip", source: ".env", reason: "empty value: not migrated" },
      { name: "had", action: "skip", source: ".env", version: "4", reason: "empty value: not migrated" },
    ]);
    expect(plan.ops.map((op) => op.name)).toEqual([]);
    expect(planMigration([desired("EMPTY", "")], new Map(), { ...ok, runId: "r", onConflict: "fail" }).blocked).toBe(false);
  });

  it("a value the provider cannot hold is invalid with the rule and a hint naming --exclude", () => {
    const plan = planMigration([desired("app/BIG", "too-long-value")], new Map(), { ...ok, runId: "r", onConflict: "fail" });
    expect(plan.items).toEqual([
      { name: "app/BIG", action: "invalid", source: ".env", reason: "at most 8 characters", hint: "--exclude 'app/BIG' to leave it out of this run" },
    ]);
    expect(plan.blocked).toBe(true);
  });

  it("an update carries the planned version for compare-and-set", () => {
    const plan = planMigration([desired("a", "new")], current([["a", "old", "7"]]), { ...ok, runId: "r", onConflict: "overwrite" });
    expect(plan.ops).toEqual([{ kind: "update", name: "a", value: "new", expectedVersion: "7", runId: "r" }]);
  });

  it("a key defined with different values in two files is a conflict naming both", () => {
    const plan = planMigration([desired("K", "a", "one.env"), desired("K", "b", "two.env")], new Map(), { ...ok, runId: "r", onConflict: "overwrite" });
    expect(plan.items[0]).toMatchObject({ action: "conflict" });
    expect(plan.items[0]?.reason).toContain("one.env");
    expect(plan.items[0]?.reason).toContain("two.env");
    expect(plan.blocked).toBe(true);
    expect(plan.ops).toEqual([]);
  });

  it("a secret scheduled for deletion is a conflict with a hint", () => {
    const have = new Map<string, CurrentSecret>([["a", { name: "a", value: "v", version: "1", deleted: true }]]);
    const plan = planMigration([desired("a", "v")], have, { ...ok, runId: "r", onConflict: "overwrite" });
    expect(plan.items[0]).toMatchObject({ action: "conflict" });
    expect(plan.items[0]?.hint).toBeDefined();
  });

  const arbState = fc.dictionary(fc.stringMatching(/^[A-Z]{1,4}$/), fc.string({ minLength: 1, maxLength: 12 }), { maxKeys: 12 });

  it("property: applying a plan's ops then planning again leaves nothing to write", () => {
    fc.assert(
      fc.property(arbState, arbState, fc.constantFrom("overwrite" as const, "skip" as const), (have, want, onConflict) => {
        const cur = current(Object.entries(have).map(([k, v]) => [k, v, "1"]));
        const wanted = Object.entries(want).map(([k, v]) => desired(k, v));
        const plan = planMigration(wanted, cur, { ...ok, runId: "r", onConflict });
        const next = new Map(cur);
        for (const op of plan.ops) next.set(op.name, { name: op.name, value: op.value, version: "2" });
        const again = planMigration(wanted, next, { ...ok, runId: "r2", onConflict });
        expect(again.ops).toEqual([]);
        expect(new Set(plan.items.map((i) => i.name))).toEqual(new Set(Object.keys(want)));
      }),
    );
  });

  it("property: with --on-conflict fail, a differing value blocks the plan and no update is planned", () => {
    fc.assert(
      fc.property(arbState, arbState, (have, want) => {
        const cur = current(Object.entries(have).map(([k, v]) => [k, v, "1"]));
        const plan = planMigration(
          Object.entries(want).map(([k, v]) => desired(k, v)),
          cur,
          { ...ok, runId: "r", onConflict: "fail" },
        );
        const differs = Object.entries(want).some(([k, v]) => have[k] !== undefined && have[k] !== v);
        expect(plan.blocked).toBe(differs);
        expect(plan.ops.every((op) => op.kind === "create")).toBe(true);
      }),
    );
  });

  it("property: no plan item carries a value", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[A-Z]{1,4}$/), fc.uuid(), { maxKeys: 8 }), (want) => {
        const plan = planMigration(
          Object.entries(want).map(([k, v]) => desired(k, v)),
          new Map(),
          { ...ok, runId: "r", onConflict: "fail" },
        );
        const text = JSON.stringify(plan.items);
        for (const v of Object.values(want)) expect(text).not.toContain(v);
      }),
    );
  });
});
