import { createHmac, hkdfSync, randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { writeDigester } from "../../src/core/write-digest.js";

/** The digest as first written (an Hmac object): stores written by earlier versions hold it, so it must not change. */
function reference(dataKey: Buffer, name: string, value: string): string {
  const key = Buffer.from(hkdfSync("sha256", dataKey, "", "secretshift write digest", 32));
  return createHmac("sha256", key).update(`${name}\0${value}`).digest("hex").slice(0, 32);
}

// Any UTF-16 code unit, lone surrogates included.
const units = fc.string({ unit: fc.nat(0xffff).map((c) => String.fromCharCode(c)), maxLength: 80 });

describe("writeDigester", () => {
  it("is HMAC-SHA256 of name NUL value under the derived key, for any strings and in any order of sizes", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.array(fc.tuple(units, fc.oneof(units, fc.string({ unit: "binary", minLength: 300, maxLength: 3000 }))), { minLength: 1, maxLength: 8 }),
        (keyBytes, pairs) => {
          const dataKey = Buffer.from(keyBytes);
          const digest = writeDigester(dataKey);
          for (const [name, value] of pairs) expect(digest(name, value)).toBe(reference(dataKey, name, value));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("gives the same digest before and after a long value grew its buffer", () => {
    const dataKey = randomBytes(32);
    const digest = writeDigester(dataKey);
    const first = digest("API_KEY", "short");
    expect(digest("PEM", "x".repeat(100_000))).toBe(reference(dataKey, "PEM", "x".repeat(100_000)));
    expect(digest("API_KEY", "short")).toBe(first);
  });
});
