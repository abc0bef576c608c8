import fc from "fast-check";
import { expect, it } from "vitest";
import { digits } from "../../src/ui/digits.js";

it("writes every number as toLocaleString('en-US') does", () => {
  fc.assert(
    fc.property(fc.oneof(fc.maxSafeInteger(), fc.integer({ min: -1_000_000, max: 10_000_000 }), fc.double({ noNaN: true })), (n) => {
      expect(digits(n)).toBe(n.toLocaleString("en-US"));
    }),
    { numRuns: 20_000 },
  );
});
