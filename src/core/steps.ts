/** The Writer's steps and the journal lines that record them (apply.ts). */
import type { SecretStore } from "../providers/types.js";
import type { SignalHub } from "./deps.js";
import { describeError } from "./describe-error.js";
import { CliError, ExitCode } from "./errors.js";
import type { Journal, JournalEntry, JournalEvent } from "./journal.js";

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
  readonly outcome?: string;
  readonly error?: string;
}

export type Done = { version?: string; outcome?: string } | undefined;

export type Perform<S extends Step> = (step: S) => Promise<Done>;

export interface RunHeader {
  readonly command: string;
  readonly provider: string;
  readonly name?: string;
  readonly data?: JournalEntry["data"];
}

export interface WriterDeps {
  readonly journal: Journal;
  readonly runId: string;
  readonly signals: SignalHub;
  readonly key: Buffer | undefined;
  readonly warn: (message: string) => void;
  readonly stopping?: string;
  /** Said after an interrupt: the command that finishes or undoes the run. */
  readonly resume?: string;
}

export interface Unit {
  readonly action: string;
  readonly data: JournalEntry["data"];
  readonly started?: JournalEntry["data"];
  readonly failed?: JournalEntry["data"];
}

export interface ApplyOptions {
  readonly concurrency: number;
  readonly batch?: Pick<SecretStore, "flush">;
  readonly onProgress?: (done: number, total: number) => void;
}

export const journalFailed = (why: string, cause?: unknown) =>
  new CliError("JOURNAL_WRITE_FAILED", `could not write the journal (${why}); the run stopped there`, {
    exitCode: ExitCode.failed,
    hint: "fix the cause (disk space, permissions), then run the same command again to finish, or roll the run back",
    cause,
  });

export const notStarted = (s: Step): StepResult => ({ name: s.name, action: s.action, status: "not-started" });

export const failure = (s: Step, error: unknown): StepResult => ({ name: s.name, action: s.action, status: "failed", error: describeError(error) });

export async function attempt<S extends Step>(step: S, perform: Perform<S>): Promise<StepResult> {
  try {
    return { name: step.name, action: step.action, status: "done", ...((await perform(step)) ?? {}) };
  } catch (error) {
    return failure(step, error);
  }
}

export const intent = (runId: string, s: Step): JournalEvent => ({
  runId,
  type: "intent",
  name: s.name,
  action: s.action,
  ...(s.data ? { data: s.data } : {}),
});

export function outcome(runId: string, r: StepResult): JournalEvent {
  if (r.status !== "done") return { runId, type: "failed", name: r.name, action: r.action, error: r.error ?? "unknown error" };
  return {
    runId,
    type: "done",
    name: r.name,
    action: r.action,
    ...(r.version ? { version: r.version } : {}),
    ...(r.outcome ? { status: r.outcome } : {}),
  };
}
