import type { SecretStore, WriteOp } from "../providers/types.js";
import { describeError } from "./describe-error.js";
import type { Journal, JournalEntry } from "./journal.js";
import { runPool } from "./pool.js";

/** One unit of provider work: a write of a migrate, a revert of a rollback, a step of a rotation. */
export interface Step {
  readonly name: string;
  readonly action: string;
  readonly data?: JournalEntry["data"];
}

export interface StepResult {
  readonly name: string;
  readonly action: string;
  readonly status: "done" | "failed" | "not-started";
  readonly version?: string;
  /** Provider-specific outcome (`reverted`, `already`, `changed-since`). */
  readonly outcome?: string;
  readonly error?: string;
}

export interface ApplyDeps {
  readonly store: SecretStore;
  readonly journal: Journal;
  readonly runId: string;
  readonly concurrency: number;
  readonly interrupted: () => boolean;
  readonly onProgress: (done: number, total: number) => void;
}

export type Perform<S extends Step> = (step: S) => Promise<{ version?: string; outcome?: string }>;

/**
 * The only place provider writes happen. Every step has an `intent` line before it and a `done`
 * or `failed` line after; for batched stores the real write is the flush, so outcomes are
 * journalled only once the store file is durable.
 */
export async function applySteps<S extends Step>(steps: readonly S[], perform: Perform<S>, deps: ApplyDeps): Promise<StepResult[]> {
  return deps.store.batched ? applyBatched(steps, perform, deps) : applyEach(steps, perform, deps);
}

export const applyPlan = (ops: readonly WriteOp[], deps: ApplyDeps): Promise<StepResult[]> =>
  applySteps(
    ops.map((op) => ({ ...op, action: op.kind, ...(op.expectedVersion ? { data: { fromVersion: op.expectedVersion } } : {}) })),
    (step) => deps.store.write(step),
    deps,
  );

const intent = (s: Step, runId: string) => ({ runId, type: "intent" as const, name: s.name, action: s.action, ...(s.data ? { data: s.data } : {}) });

async function applyEach<S extends Step>(steps: readonly S[], perform: Perform<S>, deps: ApplyDeps): Promise<StepResult[]> {
  const results = new Map<string, StepResult>();
  let finished = 0;
  const work = async (step: S) => {
    await deps.journal.append([intent(step, deps.runId)]);
    const result = await attempt(step, perform);
    results.set(step.name, result);
    await deps.journal.append([outcome(result, deps.runId)]);
    deps.onProgress(++finished, steps.length);
  };
  await runPool(steps, deps.concurrency, work, deps.interrupted);
  return steps.map((s) => results.get(s.name) ?? { name: s.name, action: s.action, status: "not-started" });
}

async function applyBatched<S extends Step>(steps: readonly S[], perform: Perform<S>, deps: ApplyDeps): Promise<StepResult[]> {
  await deps.journal.append(steps.map((s) => intent(s, deps.runId)));
  const staged: StepResult[] = [];
  for (const step of steps) staged.push(await attempt(step, perform));
  let results = staged;
  try {
    await deps.store.flush();
  } catch (error) {
    const reason = describeError(error);
    results = staged.map((r) => (r.status === "done" ? { name: r.name, action: r.action, status: "failed", error: reason } : r));
  }
  await deps.journal.append(results.map((r) => outcome(r, deps.runId)));
  deps.onProgress(steps.length, steps.length);
  return results;
}

async function attempt<S extends Step>(step: S, perform: Perform<S>): Promise<StepResult> {
  try {
    const done = await perform(step);
    return { name: step.name, action: step.action, status: "done", ...done };
  } catch (error) {
    return { name: step.name, action: step.action, status: "failed", error: describeError(error) };
  }
}

function outcome(r: StepResult, runId: string) {
  if (r.status !== "done") return { runId, type: "failed" as const, name: r.name, action: r.action, error: r.error ?? "unknown error" };
  return {
    runId,
    type: "done" as const,
    name: r.name,
    action: r.action,
    ...(r.version ? { version: r.version } : {}),
    ...(r.outcome ? { status: r.outcome } : {}),
  };
}
