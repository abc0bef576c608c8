import { describe, expect, it } from "vitest";
import type { DesiredSecret } from "../../src/core/plan.js";
import { checkReferences, formatReference, parseReference, splitReferenceCells } from "../../src/core/secret-reference.js";

const cell = (name: string, value: string): DesiredSecret => ({ name, value, origin: { source: `t.c[key=${name}]`, table: "t", row: name, column: "c" } });

describe("secret references", () => {
  it("round-trips and refuses what scrub could not have written", () => {
    expect(parseReference(formatReference("local", "businesses/1/gemini_api_key"))).toEqual({ provider: "local", name: "businesses/1/gemini_api_key" });
    expect(parseReference("secret:aws:a:b")).toEqual({ provider: "aws", name: "a:b" });
    for (const value of ["secret:", "secret:local:", "secret:nowhere:x", "secret::x", "Secret:local:x", "secret:local:a\nb", "sk-123"]) {
      expect(parseReference(value), value).toBeUndefined();
    }
  });

  it("only database cells are references; a reference is in sync when its secret exists", () => {
    const file: DesiredSecret = { name: "F", value: "secret:local:x", origin: { source: ".env", line: 1 } };
    const { values, references } = splitReferenceCells([
      file,
      cell("1", "secret:local:a"),
      cell("2", "plain"),
      cell("3", "secret:local:gone"),
      cell("4", "secret:aws:a"),
    ]);
    expect(values.map((v) => v.name)).toEqual(["F", "2"]);
    const current = new Map([["a", { name: "a", value: "v", version: "3" }]]);
    expect(checkReferences(references, "local", current).map((i) => [i.name, i.action])).toEqual([
      ["1", "in-sync"],
      ["3", "missing"],
      ["4", "different"],
    ]);
  });
});
