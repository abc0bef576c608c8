import type { Writer } from "../core/apply.js";
import { describeError } from "../core/describe-error.js";
import { CliError, ExitCode } from "../core/errors.js";
import type { JournalEntry } from "../core/journal.js";
import { describeExit, type Shell } from "./shell.js";
import type { Strategy, StrategyContext } from "./strategies/types.js";
import type { RotatingStore } from "./types.js";

export type StepName = "create-pending" | "set" | "test" | "promote";

export interface RotationRun {
  readonly runId: string;
  readonly name: string;
  readonly store: RotatingStore;
  readonly strategy: Strategy;
  readonly writer: Writer;
  readonly ctx: StrategyContext;
  readonly graceMs: number;
  readonly now: () => Date;
  readonly testCommand: string | undefined;
  readonly shell: Shell;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly progress: (message: string) => void;
}

export interface RotationOutcome {
  /** `unknown`: a step may have half-happened; re-running finishes or abandons it. */
  readonly status: "rotated" | "failed" | "unknown" | "interrupted";
  readonly version?: string;
  readonly graceUntil?: Date;
  readonly failedStep?: StepName;
  readonly error?: string;
  readonly cleanup?: string;
}

class StepFailed extends Error {
  constructor(
    readonly step: StepName,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/**
 * create-pending → set → test → promote. A resumed run (`pending.version`) starts at `set`. A failure
 * before promote undoes the strategy's change, then removes the pending version, so a crash in
 * between still leaves a pending to resume from.
 */
export async function advanceRotation(run: RotationRun, pending: { value: string; version?: string }): Promise<RotationOutcome> {
  let version = pending.version;
  try {
    version ??= await step(run, "create-pending", async () => ({ version: await run.store.putPending(run.name, pending.value, run.runId) }));
    await step(run, "set", async () => void (await run.strategy.set(pending.value, run.ctx)), { strategy: run.strategy.name });
    await step(run, "test", async () => void (await testValue(run, pending.value)), { testCommand: run.testCommand !== undefined });
    const graceUntil = new Date(run.now().getTime() + run.graceMs);
    const promote = { name: run.name, pendingVersion: version, graceUntil, runId: run.runId, notes: run.strategy.notes(pending.value, run.ctx) };
    const data = { previousVersion: run.ctx.current.version, graceUntil: graceUntil.toISOString() };
    const promoted = await step(run, "promote", async () => ({ version: await run.store.promote(promote) }), { ...data, pendingVersion: version });
    return { status: "rotated", version: promoted || version, graceUntil };
  } catch (error) {
    if (!(error instanceof StepFailed)) throw error;
    return recover(run, error, pending.value, version);
  }
}

/** A pending value already promoted is what readers get now: only its leftover goes. */
export async function abortRotation(run: RotationRun, pending: { value: string; runId?: string; promoted: boolean }): Promise<void> {
  const pendingRunId = pending.runId;
  if (!pending.promoted) await journalled(run, "undo-set", () => run.strategy.undo(pending.value, run.ctx));
  await journalled(run, "discard-pending", () => run.store.discardPending(run.name, pendingRunId), { of: pendingRunId ?? null });
}

async function recover(run: RotationRun, failure: StepFailed, value: string, version: string | undefined): Promise<RotationOutcome> {
  const failed = { failedStep: failure.step, error: failure.reason };
  const stopped = run.writer.interrupted ? ("interrupted" as const) : ("failed" as const);
  if (failure.step === "promote") {
    // The store may have applied it and lost the answer: look before undoing anything. The value
    // tells: a write by someone else in between may well have taken the version number we expected.
    const labels = await run.store.readLabels(run.name).catch(() => undefined);
    if (labels && labels.current.value === value) {
      const now = labels.current.version;
      await run.writer.confirm({ name: run.name, action: "promote" }, { version: now, outcome: "confirmed" });
      return { status: "rotated", version: now, graceUntil: new Date(run.now().getTime() + run.graceMs) };
    }
    if (!labels || labels.pending?.version !== version)
      return { status: "unknown", ...failed, cleanup: "could not tell whether the promotion happened; nothing was undone" };
  }
  if (failure.step !== "create-pending") {
    try {
      await journalled(run, "undo-set", () => run.strategy.undo(value, run.ctx));
    } catch (e) {
      if (run.writer.journalBroken) throw e;
      return {
        status: "unknown",
        ...failed,
        cleanup: `putting back ${run.strategy.undoes ?? "the change"} failed (${describeError(e)}); the pending version was kept`,
      };
    }
  }
  try {
    await journalled(run, "discard-pending", () => run.store.discardPending(run.name, run.runId));
  } catch (e) {
    if (run.writer.journalBroken) throw e;
    return { status: "unknown", ...failed, cleanup: `removing the pending version failed (${describeError(e)})` };
  }
  const undone = failure.step !== "create-pending" && run.strategy.undoes ? `${run.strategy.undoes} was put back and ` : "";
  return { status: stopped, ...failed, cleanup: `${undone}no pending version is left` };
}

async function testValue(run: RotationRun, value: string): Promise<void> {
  await run.strategy.test(value, run.ctx);
  if (run.testCommand === undefined) return;
  run.progress("running the test command…");
  const result = await run.shell(run.testCommand, { ...run.env, SECRET_VALUE: value }, run.cwd);
  if (result.code !== 0) throw new CliError("TEST_FAILED", `the test command ${describeExit(result)}`, { exitCode: ExitCode.failed });
}

async function step(run: RotationRun, action: StepName, work: () => Promise<{ version?: string } | undefined>, data?: JournalEntry["data"]): Promise<string> {
  if (run.writer.interrupted) throw new StepFailed(action, "interrupted before this step");
  run.progress(`${action}…`);
  try {
    const done = await journalled(run, action, work, data);
    return done?.version ?? "";
  } catch (e) {
    if (run.writer.journalBroken) throw e;
    throw new StepFailed(action, describeError(e));
  }
}

const journalled = <T>(run: RotationRun, action: string, work: () => Promise<T>, data?: JournalEntry["data"]): Promise<T> =>
  run.writer.step({ name: run.name, action, ...(data ? { data } : {}) }, work);
