import { describe, expect, it } from "vitest";
import { type DesiredSecret, planMigration } from "../../src/core/plan.js";
import type { CurrentSecret, WriteOp } from "../../src/providers/types.js";

const ok = { checkName: (n: string) => ({ stored: n }), checkValue: () => undefined, runId: "r", onConflict: "overwrite" as const };
const desired = (name: string, value: string): DesiredSecret => ({ name, value, origin: { source: ".env" } });
const have = new Map<string, CurrentSecret>([
  ["same", { name: "same", value: "s", version: "1" }],
  ["diff", { name: "diff", value: "old", version: "2" }],
]);

describe("planMigration with checkBatch (limits over all writes together)", () => {
  const want = [desired("same", "s"), desired("diff", "new"), desired("added", "a")];

  it("sees exactly the writes, and a refusal makes those rows invalid, drops their ops and blocks the plan", () => {
    let seen: readonly WriteOp[] = [];
    const plan = planMigration(want, have, {
      ...ok,
      checkBatch: (writes) => {
        seen = writes;
        return new Map(writes.map((w) => [w.name, "too big together"]));
      },
    });
    expect(seen.map((w) => w.name).sort()).toEqual(["added", "diff"]);
    expect(Object.fromEntries(plan.items.map((i) => [i.name, [i.action, i.reason]]))).toEqual({
      added: ["invalid", "too big together"],
      diff: ["invalid", "too big together"],
      same: ["unchanged", undefined],
    });
    expect(plan.items.map((i) => i.name)).toEqual(["added", "diff", "same"]);
    expect(plan.ops).toEqual([]);
    expect(plan.blocked).toBe(true);
  });

  it("an empty answer leaves the plan as it was; no writes means no call", () => {
    const plain = planMigration(want, have, ok);
    expect(planMigration(want, have, { ...ok, checkBatch: () => new Map() })).toEqual(plain);
    let called = false;
    planMigration([desired("same", "s")], have, {
      ...ok,
      checkBatch: () => {
        called = true;
        return new Map();
      },
    });
    expect(called).toBe(false);
  });
});
