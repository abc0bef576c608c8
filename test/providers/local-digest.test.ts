import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deriveKey } from "../../src/core/crypto.js";
import { LocalStore } from "../../src/providers/local/store.js";
import { holds } from "../../src/providers/types.js";
import { tmpdir } from "../helpers/tmpdir.js";

const KEY = deriveKey("k".repeat(40));

describe("the local store tells an unchanged value by its keyed digest", () => {
  it("holds(stored a, b) is exactly a === b, and the value still reads back", async () => {
    const dir = await tmpdir();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), async (a, b) => {
        const store = new LocalStore(join(dir, `store-${n++}.enc`), KEY, () => new Date());
        await store.write({ kind: "create", name: "S", value: a, runId: "r" });
        await store.write({ kind: "create", name: "T", value: b, runId: "r" });
        await store.flush();
        await store.close();
        const current = await new LocalStore(store.path, KEY, () => new Date()).readMany(["S", "T"]);
        const s = current.get("S");
        expect(s?.matches).toBeTypeOf("function");
        expect(holds(s as NonNullable<typeof s>, b)).toBe(a === b);
        expect(holds(s as NonNullable<typeof s>, a)).toBe(true);
        expect(s?.value).toBe(a);
      }),
      { numRuns: 40 },
    );
  });
});
