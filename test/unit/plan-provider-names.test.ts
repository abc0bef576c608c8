import { describe, expect, it } from "vitest";
import { type DesiredSecret, planMigration } from "../../src/core/plan.js";
import type { CurrentSecret } from "../../src/providers/types.js";
import { jsonItem, renderItems } from "../../src/ui/render-plan.js";

const desired = (name: string, value: string): DesiredSecret => ({ name, value, origin: { source: ".env" } });
const mapped = { checkName: (n: string) => ({ stored: n.replaceAll("/", "__") }), checkValue: () => undefined };

describe("plan: provider names and provider hints", () => {
  it("carries the stored name when the provider maps it, and the JSON and table show it", () => {
    const plan = planMigration([desired("app/KEY", "v"), desired("PLAIN", "v")], new Map(), { ...mapped, runId: "r", onConflict: "fail" });
    expect(plan.items.map((i) => [i.name, i.stored])).toEqual([
      ["PLAIN", undefined],
      ["app/KEY", "app__KEY"],
    ]);
    expect(jsonItem(plan.items[1] as never)).toMatchObject({ name: "app/KEY", stored: "app__KEY" });
    let out = "";
    renderItems({ out: (s: string) => (out += s), paint: { red: String, dim: String, green: String } } as never, plan.items);
    expect(out).toContain("stored as app__KEY");
  });

  it("a deleted secret's own hint replaces the generic one", () => {
    const have = new Map<string, CurrentSecret>([["a", { name: "a", value: "", version: "1", deleted: true, hint: "--purge-deleted" }]]);
    const plan = planMigration([desired("a", "v")], have, { ...mapped, runId: "r", onConflict: "fail" });
    expect(plan.items[0]).toMatchObject({ action: "conflict", hint: "--purge-deleted" });
  });
});
