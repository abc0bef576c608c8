import type { JournalEntry } from "../core/journal.js";
import type { RotationLabels, RotationVersion } from "./types.js";

export interface RotateRunView {
  readonly runId: string;
  readonly settings: Readonly<Record<string, string>>;
  readonly strategy: string;
  /** Undefined while the run never ended (crash, kill). */
  readonly status?: string;
}

export type RotationDecision =
  /** `abandon`: earlier runs that died leaving nothing in the store. */
  | { readonly kind: "fresh"; readonly abandon: readonly string[] }
  | { readonly kind: "resume"; readonly runId: string; readonly pending: RotationVersion }
  /** A run of ours promoted, then died before journalling its end. */
  | { readonly kind: "finish"; readonly runId: string; readonly version: string }
  /** `promoted`: its value is already current, so `set` is not undone (readers get that value now). */
  | {
      readonly kind: "abort";
      readonly runId?: string;
      readonly pendingRunId?: string;
      readonly pending: RotationVersion;
      readonly promoted: boolean;
      readonly abandon: readonly string[];
    }
  | { readonly kind: "nothing"; readonly abandon: readonly string[] }
  | { readonly kind: "blocked"; readonly code: string; readonly message: string; readonly hint: string };

export interface DecideOptions {
  readonly name: string;
  readonly abort: boolean;
  readonly strategy: string;
  readonly settings: Readonly<Record<string, string>>;
}

export function rotateRuns(entries: readonly JournalEntry[], provider: string, name: string): Map<string, RotateRunView> {
  const runs = new Map<string, RotateRunView>();
  for (const e of entries) {
    if (e.type === "run-start" && e.command === "rotate" && e.provider === provider && e.name === name) {
      const { strategy, ...settings } = Object.fromEntries(
        Object.entries(e.data ?? {})
          .filter(([k]) => k === "strategy" || k.startsWith("setting:"))
          .map(([k, v]) => [k.replace(/^setting:/, ""), String(v)]),
      );
      runs.set(e.runId, { runId: e.runId, strategy: strategy ?? "generic", settings });
    } else if (e.type === "run-end" && runs.has(e.runId)) {
      const run = runs.get(e.runId) as RotateRunView;
      runs.set(e.runId, { ...run, status: e.status });
    }
  }
  return runs;
}

/**
 * Pure. A leftover pending version of a run of ours is resumed, not discarded: `set` may already
 * have applied it (ALTER ROLE), and a new value would leave the database and the store disagreeing.
 * One our journal does not know is another rotation's: never taken over, only removed by `--abort`.
 */
export function decideRotation(labels: RotationLabels, runs: ReadonlyMap<string, RotateRunView>, options: DecideOptions): RotationDecision {
  const { current } = labels;
  const promotedRun = current.runId !== undefined ? runs.get(current.runId) : undefined;
  const unfinished = promotedRun && promotedRun.status !== "ok" && promotedRun.status !== "aborted" ? promotedRun : undefined;
  // A pending value readers already get was promoted by a run that died before removing it.
  const promoted = labels.pending !== undefined && labels.pending.value === current.value;
  const owner = labels.pending?.runId !== undefined ? runs.get(labels.pending.runId) : undefined;
  // Such a leftover of a run of ours that ended is only litter.
  const settled = promoted && owner?.status === "ok";
  const pending = settled && !options.abort ? undefined : labels.pending;
  const mine = pending && !settled ? owner : undefined;
  const dead = [...runs.values()].filter((r) => r.status === undefined && r.runId !== mine?.runId && r.runId !== unfinished?.runId).map((r) => r.runId);

  const mismatch = mine && (mine.strategy !== options.strategy || Object.entries(mine.settings).some(([k, v]) => options.settings[k] !== v));
  if (mine && mismatch && !promoted) {
    const was = [mine.strategy, ...Object.entries(mine.settings).map(([k, v]) => `${k}=${v}`)].join(", ");
    const hint = options.abort
      ? "pass the same --strategy/--role/--db so its change can be undone"
      : "re-run with the same --strategy/--role/--bits to finish it, or add --abort to abandon it";
    return { kind: "blocked", code: "RESUME_MISMATCH", message: `run ${mine.runId} left a pending version with different options (${was})`, hint };
  }
  if (options.abort) {
    // Our own run that promoted is finished by running it again (that completes its grace record too).
    const landed = mine && promoted ? mine : pending ? undefined : unfinished;
    if (landed) {
      const finish = mine && promoted ? "; run the same command without --abort to finish it" : "; there is nothing left to abort";
      return {
        kind: "blocked",
        code: "ALREADY_PROMOTED",
        message: `run ${landed.runId} already made the new value current${finish}`,
        hint: `to go back: secrets rollback <provider> --run ${landed.runId}`,
      };
    }
    if (pending) {
      const ids = { ...(mine ? { runId: mine.runId } : {}), ...(pending.runId ? { pendingRunId: pending.runId } : {}) };
      return { kind: "abort", pending, promoted, abandon: dead, ...ids };
    }
    return { kind: "nothing", abandon: dead };
  }
  if (pending) {
    if (!mine) {
      return {
        kind: "blocked",
        code: "PENDING_EXISTS",
        message: `${options.name} has a pending version from run ${pending.runId ?? "unknown"}, which this state folder did not start: another rotation may be in progress`,
        hint: `if no rotation is running, abandon it with: secrets rotate ${options.name} --abort`,
      };
    }
    return { kind: "resume", runId: mine.runId, pending };
  }
  if (unfinished) return { kind: "finish", runId: unfinished.runId, version: current.version };
  return { kind: "fresh", abandon: dead };
}
