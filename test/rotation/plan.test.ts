import { describe, expect, it } from "vitest";
import type { JournalEntry } from "../../src/core/journal.js";
import { decideRotation, rotateRuns } from "../../src/rotation/plan.js";
import type { RotationLabels } from "../../src/rotation/types.js";

let seq = 0;
const entry = (e: Partial<JournalEntry>): JournalEntry => ({ seq: ++seq, ts: "2026-01-01T00:00:00Z", runId: "r", type: "note", prev: "", ...e });
const start = (runId: string, data: JournalEntry["data"] = { strategy: "generic" }) =>
  entry({ runId, type: "run-start", command: "rotate", provider: "local", name: "S", data });
const end = (runId: string, status: string) => entry({ runId, type: "run-end", status });
const labels = (over: Partial<RotationLabels> = {}): RotationLabels => ({ current: { version: "1", value: "old", runId: "m" }, notes: {}, ...over });
const opts = { name: "S", abort: false, strategy: "generic", settings: {} };
const decide = (l: RotationLabels, entries: JournalEntry[], o = opts) => decideRotation(l, rotateRuns(entries, "local", "S"), o);

describe("decideRotation", () => {
  it("starts fresh when nothing is in progress", () => {
    expect(decide(labels(), [])).toEqual({ kind: "fresh", abandon: [] });
  });

  it("resumes a pending version written by one of our runs, under that run id", () => {
    const pending = { version: "2", value: "new", runId: "a" };
    expect(decide(labels({ pending }), [start("a")])).toEqual({ kind: "resume", runId: "a", pending });
    // also after that run journalled a failure it could not clean up
    expect(decide(labels({ pending }), [start("a"), end("a", "unknown")])).toMatchObject({ kind: "resume", runId: "a" });
  });

  it("refuses a pending version it did not start, until --abort", () => {
    const pending = { version: "2", value: "new", runId: "elsewhere" };
    expect(decide(labels({ pending }), [start("a")])).toMatchObject({ kind: "blocked", code: "PENDING_EXISTS" });
    expect(decide(labels({ pending }), [], { ...opts, abort: true })).toMatchObject({ kind: "abort", pendingRunId: "elsewhere", promoted: false });
  });

  it("refuses to resume with other strategy settings", () => {
    const pending = { version: "2", value: "new", runId: "a" };
    const entries = [start("a", { strategy: "postgres", "setting:role": "app" })];
    expect(decide(labels({ pending }), entries, { ...opts, strategy: "postgres", settings: { role: "other" } })).toMatchObject({
      kind: "blocked",
      code: "RESUME_MISMATCH",
    });
    expect(decide(labels({ pending }), entries, { ...opts, strategy: "postgres", settings: { role: "app" } })).toMatchObject({ kind: "resume" });
  });

  it("finishes a run that promoted but never journalled its end, instead of rotating twice", () => {
    const current = { version: "2", value: "new", runId: "a" };
    expect(decide(labels({ current }), [start("a")])).toEqual({ kind: "finish", runId: "a", version: "2" });
    expect(decide(labels({ current }), [start("a"), end("a", "ok")])).toEqual({ kind: "fresh", abandon: [] });
  });

  it("a pending value already current (a promotion died before removing it) is never undone", () => {
    const current = { version: "2", value: "new", runId: "a" };
    const pending = { version: "2", value: "new", runId: "a" };
    // ours, unfinished: resumed, so promote completes the record and removes the leftover
    expect(decide(labels({ current, pending }), [start("a")])).toMatchObject({ kind: "resume", runId: "a" });
    // ours and ended: the leftover is replaced by the next rotation's pending
    expect(decide(labels({ current, pending }), [start("a"), end("a", "ok")])).toEqual({ kind: "fresh", abandon: [] });
    expect(decide(labels({ current, pending }), [start("a"), end("a", "ok")], { ...opts, abort: true })).toMatchObject({ kind: "abort", promoted: true });
    expect(decide(labels({ current, pending }), [start("a"), end("a", "ok")], { ...opts, abort: true })).not.toHaveProperty("runId");
    // --abort on our own such run: finish it instead (its grace record may be missing)
    expect(decide(labels({ current, pending }), [start("a")], { ...opts, abort: true })).toMatchObject({ kind: "blocked", code: "ALREADY_PROMOTED" });
    // another folder's: --abort removes the leftover without putting back what `set` changed
    const elsewhere = { version: "2", value: "new", runId: "b" };
    expect(decide(labels({ current, pending: elsewhere }), [], { ...opts, abort: true })).toMatchObject({ kind: "abort", promoted: true, pendingRunId: "b" });
    expect(decide(labels({ pending: { version: "2", value: "other", runId: "a" } }), [start("a")], { ...opts, abort: true })).toMatchObject({
      kind: "abort",
      promoted: false,
    });
  });

  it("abandons runs that died leaving nothing behind", () => {
    expect(decide(labels(), [start("a"), start("b"), end("b", "failed")])).toEqual({ kind: "fresh", abandon: ["a"] });
  });

  it("--abort with nothing pending is a no-op, and cannot undo a promotion", () => {
    expect(decide(labels(), [], { ...opts, abort: true })).toEqual({ kind: "nothing", abandon: [] });
    const current = { version: "2", value: "new", runId: "a" };
    expect(decide(labels({ current }), [start("a")], { ...opts, abort: true })).toMatchObject({ kind: "blocked", code: "ALREADY_PROMOTED" });
  });
});
