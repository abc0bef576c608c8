import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { JournalEntry } from "../../src/core/journal.js";
import { planRollback } from "../../src/core/rollback-plan.js";
import { writeDigester } from "../../src/core/write-digest.js";

const RUN = "20260301T100000-abcdef";
const line = (e: Partial<JournalEntry>): JournalEntry => ({ seq: 0, ts: "", prev: "", runId: RUN, type: "intent", ...e }) as JournalEntry;

describe("write digest", () => {
  it("is keyed: the same value gives a different digest under another data key, and never a plain hash", () => {
    const value = "sk-live-0123456789";
    const a = writeDigester(randomBytes(32))("API_KEY", value);
    const b = writeDigester(randomBytes(32))("API_KEY", value);
    expect(a).not.toBe(b);
    for (const plain of [value, `API_KEY\0${value}`]) {
      const sha = createHash("sha256").update(plain).digest("hex");
      expect(sha.startsWith(a)).toBe(false);
    }
  });
});

describe("planRollback with writes killed in flight", () => {
  const digest = writeDigester(randomBytes(32));
  const priors = new Map([
    ["A", { name: "A", existed: true, value: "a-old", version: "3" }],
    ["B", { name: "B", existed: false }],
  ]);
  const current = new Map([
    ["A", { name: "A", value: "a-new", version: "4" }],
    ["B", { name: "B", value: "b-new", version: "1" }],
  ]);

  it("a write with no outcome carries its intent's version and a test of the value it sent", () => {
    const steps = [
      line({ name: "A", action: "update", data: { fromVersion: "3", toVersion: "4", digest: digest("A", "a-new") } }),
      line({ name: "B", action: "create", data: { digest: digest("B", "b-new") } }),
    ];
    const [a, b] = planRollback(steps, priors, current, RUN, digest);
    expect(a).toMatchObject({ name: "A", action: "restore", op: { inFlight: { toVersion: "4" } } });
    expect(a?.op?.writtenVersion).toBeUndefined();
    expect(a?.op?.inFlight?.sent("a-new")).toBe(true);
    expect(a?.op?.inFlight?.sent("someone-else's")).toBe(false);
    expect(b?.op?.inFlight?.toVersion).toBeUndefined();
    expect(b?.op?.inFlight?.sent("b-new")).toBe(true);
  });

  it("a journalled outcome wins: its version, and no in-flight guess", () => {
    const steps = [
      line({ name: "A", action: "update", data: { toVersion: "4", digest: digest("A", "a-new") } }),
      line({ name: "A", type: "done", action: "update", version: "4" }),
    ];
    const [a] = planRollback(steps, priors, current, RUN, digest);
    expect(a?.op).toMatchObject({ writtenVersion: "4" });
    expect(a?.op?.inFlight).toBeUndefined();
  });

  it("a digest made under another key never matches (a journal from another data key)", () => {
    const other = writeDigester(randomBytes(32));
    const [a] = planRollback([line({ name: "A", action: "update", data: { digest: other("A", "a-new") } })], priors, current, RUN, digest);
    expect(a?.op?.inFlight?.sent("a-new")).toBe(false);
  });
});
