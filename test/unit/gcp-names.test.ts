import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkGcpName, fromSecretId, toSecretId } from "../../src/providers/gcp/names.js";

/** Names as sources produce them: segments of letters, digits, _ and -, joined by /. */
const arbName = fc.stringMatching(/^[A-Za-z0-9_/-]{1,60}$/);
const arbId = fc.stringMatching(/^[A-Za-z0-9_-]{1,255}$/);

describe("GCP name mapping (/ ↔ __)", () => {
  it("every accepted name is stored as a valid id and reads back as itself", () => {
    fc.assert(
      fc.property(arbName, (name) => {
        const check = checkGcpName(name);
        if (check.invalid) return;
        expect(check.stored).toMatch(/^[A-Za-z0-9_-]{1,255}$/);
        expect(fromSecretId(check.stored)).toBe(name);
      }),
    );
  });

  it("two different accepted names never share an id", () => {
    fc.assert(
      fc.property(arbName, arbName, (a, b) => {
        if (a === b || checkGcpName(a).invalid || checkGcpName(b).invalid) return;
        expect(toSecretId(a)).not.toBe(toSecretId(b));
      }),
    );
  });

  it("every existing id is reachable: mapping its name back gives the same id", () => {
    fc.assert(
      fc.property(arbId, (id) => {
        expect(toSecretId(fromSecretId(id))).toBe(id);
      }),
    );
  });

  it("refuses names that would read back as another name, and names the API cannot hold", () => {
    expect(checkGcpName("app/DB_URL")).toEqual({ stored: "app__DB_URL" });
    expect(checkGcpName("a__b").invalid).toMatch(/__/);
    expect(checkGcpName("a_/b").invalid).toMatch(/__/);
    expect(checkGcpName("a.b").invalid).toMatch(/A-Z a-z 0-9/);
    expect(checkGcpName("x".repeat(256)).invalid).toMatch(/1–255/);
  });
});
