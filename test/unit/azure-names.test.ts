import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkAzureName, collisions, nameOf, runTags, vaultKey } from "../../src/providers/azure/names.js";

const arbName = fc.stringMatching(/^[A-Za-z0-9_/-]{1,40}$/);
/** Few letters, so case and mapping collisions are frequent. */
const arbClashy = fc.stringMatching(/^[aA_/-]{1,4}$/);

describe("Azure name mapping (/ → --, _ → -, case-insensitive)", () => {
  it("every name of letters, digits, _, / and - maps to a valid vault name, and reads back through its tag", () => {
    fc.assert(
      fc.property(arbName, (name) => {
        const check = checkAzureName(name);
        expect(check.stored).toMatch(/^[0-9A-Za-z-]+$/);
        if (!check.invalid) expect(nameOf(check.stored, runTags(name, "run"))).toBe(name);
      }),
    );
  });

  it("a secret made elsewhere (no tag, or a tag for another vault name) reads back as its own vault name", () => {
    expect(nameOf("my-secret", {})).toBe("my-secret");
    expect(nameOf("my-secret", runTags("other/name", "run"))).toBe("my-secret");
    expect(nameOf("APP--DB-URL", runTags("app/DB_URL", "run"))).toBe("app/DB_URL");
  });

  it("flags exactly the names that share a vault name; the rest get distinct vault names", () => {
    fc.assert(
      fc.property(fc.uniqueArray(arbClashy, { maxLength: 8 }), (names) => {
        const refused = collisions(names, new Map());
        for (const n of names) {
          const shared = names.some((o) => o !== n && vaultKey(o) === vaultKey(n));
          expect(refused.has(n)).toBe(shared);
        }
        const kept = names.filter((n) => !refused.has(n)).map(vaultKey);
        expect(new Set(kept).size).toBe(kept.length);
      }),
    );
  });

  it("flags a name whose vault name already holds another name, never the name itself", () => {
    fc.assert(
      fc.property(arbName, arbName, (held, wanted) => {
        const holders = new Map([[vaultKey(held), held]]);
        const refused = collisions([wanted], holders);
        expect(refused.has(wanted)).toBe(vaultKey(wanted) === vaultKey(held) && wanted !== held);
      }),
    );
    expect(collisions(["A-B"], new Map([["a-b", "A_B"]])).get("A-B")).toMatch(/already holds A_B/);
  });

  it("refuses what Key Vault cannot hold", () => {
    expect(checkAzureName("app/DB_URL")).toEqual({ stored: "app--DB-URL" });
    expect(checkAzureName("a.b").invalid).toMatch(/0-9 a-z A-Z -/);
    expect(checkAzureName("x".repeat(128)).invalid).toMatch(/1–127/);
  });
});
