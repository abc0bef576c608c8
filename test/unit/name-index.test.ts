import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NameIndex } from "../../src/core/name-index.js";

type Op = { kind: "set" | "put"; name: string; value: number } | { kind: "delete"; name: string } | { kind: "halve" } | { kind: "reserve"; count: number };

// Names of 64 bytes are compared in JavaScript, of 65 by Buffer; an ASCII start before a non-ASCII unit
// is copied by the fast path before Buffer encodes the whole name again.
const long = ["k".repeat(64), "k".repeat(65), `${"k".repeat(63)}\u00e9`, `${"k".repeat(63)}\u{1F511}`, "ab\u00e9", "ab\u00e8"];
// Few distinct names, so sets, deletes and re-sets of the same name are common; any Unicode.
const name = fc.oneof(fc.constantFrom("a", "b", "__proto__", "constructor", "x/y", "", ...long), fc.string({ unit: "grapheme", maxLength: 6 }));
const value = fc.integer({ min: -(2 ** 40), max: 2 ** 40 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("set" as const), name, value }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("put" as const), name, value }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), name }) },
  { weight: 1, arbitrary: fc.constant({ kind: "halve" as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("reserve" as const), count: fc.integer({ min: 0, max: 3000 }) }) },
);

describe("NameIndex behaves as a Map from names to numbers", () => {
  it("after any sequence of sets, deletes and in-place updates, it holds what a Map holds", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.constantFrom(2, 4, 1024), (ops, capacity) => {
        const index = new NameIndex(capacity, true);
        const model = new Map<string, number>();
        for (const o of ops) {
          if (o.kind === "set") {
            index.set(o.name, o.value);
            model.set(o.name, o.value);
          } else if (o.kind === "put") {
            expect(index.put(o.name, o.value)).toBe(model.get(o.name));
            model.set(o.name, o.value);
          } else if (o.kind === "reserve") {
            index.reserve(o.count);
          } else if (o.kind === "delete") {
            expect(index.delete(o.name)).toBe(model.delete(o.name));
          } else {
            // Odd values are dropped, even ones halved: both branches of mapValues.
            index.mapValues((v) => (v % 2 === 0 ? v / 2 : undefined));
            for (const [k, v] of [...model]) {
              if (v % 2 === 0) model.set(k, v / 2);
              else model.delete(k);
            }
          }
          expect(index.size).toBe(model.size);
        }
        expect(new Map(index.entries())).toEqual(model);
        for (const o of ops) if ("name" in o) expect(index.get(o.name)).toBe(model.get(o.name));
        for (const n of long) expect(index.has(n)).toBe(model.has(n));
      }),
      { numRuns: 300 },
    );
  });

  it("names whose hashes collide stay apart: 20,000 names in a table that starts at 2 slots", () => {
    const index = new NameIndex(2);
    index.set("negative", -(2 ** 31));
    expect(index.get("negative")).toBe(-(2 ** 31));
    index.delete("negative");
    for (let i = 0; i < 20_000; i++) index.set(`businesses/${i}/api_key`, i);
    for (let i = 0; i < 20_000; i += 2) index.delete(`businesses/${i}/api_key`);
    expect(index.size).toBe(10_000);
    expect(index.get("businesses/1/api_key")).toBe(1);
    expect(index.get("businesses/2/api_key")).toBeUndefined();
    expect([...index.entries()].map(([, v]) => v).sort((a, b) => a - b)).toEqual(Array.from({ length: 10_000 }, (_, i) => 2 * i + 1));
  });
});
