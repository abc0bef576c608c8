import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HashedCounts } from "../../src/core/hashed-counts.js";

describe("HashedCounts", () => {
  it("property: counts as a Map of names does, through growth, with any UTF-16; a full slot reads as never reached", () => {
    const name = fc.oneof(
      fc.string({ unit: "binary", maxLength: 12 }),
      fc.nat(5_000).map((n) => `app/${n}`),
    );
    fc.assert(
      fc.property(fc.array(name, { maxLength: 3_000 }), fc.array(name, { maxLength: 20 }), fc.nat(300), (names, absent, repeats) => {
        const counts = new HashedCounts();
        const expected = new Map<string, number>();
        for (const n of names) {
          counts.add(n);
          expected.set(n, (expected.get(n) ?? 0) + 1);
        }
        const hot = names[0] ?? "hot";
        for (let i = 0; i < repeats; i++) counts.add(hot);
        if (repeats > 0) expected.set(hot, (expected.get(hot) ?? 0) + repeats);
        for (const [n, c] of expected) expect(counts.get(n)).toBe(c >= 255 ? Number.POSITIVE_INFINITY : c);
        for (const n of absent) if (!expected.has(n)) expect(counts.get(n)).toBe(0);
        expect(counts.size).toBe(expected.size);
      }),
      { numRuns: 200 },
    );
  });

  it("property: take counts each name down to 0 and below, -1 for a name never added, infinite for a full slot", () => {
    const name = fc.nat(400).map((n) => `K${n}`);
    fc.assert(
      fc.property(fc.array(name, { maxLength: 2_000 }), fc.array(name, { maxLength: 2_000 }), (added, taken) => {
        const counts = new HashedCounts();
        const left = new Map<string, number>();
        for (const n of added) {
          counts.add(n);
          left.set(n, (left.get(n) ?? 0) + 1);
        }
        const full = new Set([...left].filter(([, c]) => c >= 255).map(([n]) => n));
        for (const n of taken) {
          const expected = left.has(n) ? (left.get(n) as number) - 1 : -1;
          if (left.has(n)) left.set(n, expected);
          expect(counts.take(n)).toBe(full.has(n) ? Number.POSITIVE_INFINITY : expected);
        }
      }),
      { numRuns: 200 },
    );
  });
});
