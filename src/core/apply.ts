import type { SecretStore, WriteOp } from "../providers/types.js";
import type { SignalHub } from "./deps.js";
import { describeError } from "./describe-error.js";
import { ExitCode } from "./errors.js";
import type { Journal, JournalEntry } from "./journal.js";
import { runPool } from "./pool.js";
import { writeDigester } from "./write-digest.js";

/** One unit of work: a write of a migrate, a revert of a rollback, a removal of a cleanup. */
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

export type Perform<S extends Step> = (step: S) => Promise<{ version?: string; outcome?: string }>;

export interface RunHeader {
  readonly command: string;
  readonly provider: string;
  readonly data?: JournalEntry["data"];
}

export interface WriterDeps {
  readonly journal: Journal;
  readonly runId: string;
  readonly signals: SignalHub;
  /** The data key: a migrate's intents carry a keyed digest of each value written (write-digest.ts). */
  readonly key: Buffer | undefined;
  /** Tells the person at the terminal what an interrupt does (stderr). */
  readonly warn: (message: string) => void;
  /** How to go on after an interrupt: the command that finishes or undoes the run. */
  readonly resume: string;
}

export interface ApplyOptions {
  readonly concurrency: number;
  /** A store that stages writes until one flush (local, k8s single layout): outcomes are journalled after it. */
  readonly batch?: Pick<SecretStore, "flush">;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * A live run's writer, the only code that changes what a run can be rolled back from. It journals
 * `run-start` first, an `intent` before and an outcome after every step, and `run-end` last.
 * Ctrl-C is handled here for the whole run: steps in flight finish and are journalled, nothing
 * new starts, and `end` says how to go on. A second Ctrl-C still exits at once (real-deps.ts).
 */
export class Writer {
  private stopped = false;
  private ended = false;
  private readonly release: () => void;
  private readonly digest: ((name: string, value: string) => string) | undefined;

  private constructor(private readonly deps: WriterDeps) {
    this.digest = deps.key && writeDigester(deps.key);
    this.release = deps.signals.onInterrupt(() => {
      if (this.stopped) return;
      this.stopped = true;
      deps.warn("interrupted: finishing the writes in flight, then stopping");
    });
  }

  /** Journals `run-start`; a migrate starts its writer before it plans, so a crash at any later point is that run's. */
  static async start(deps: WriterDeps, header: RunHeader): Promise<Writer> {
    const writer = new Writer(deps);
    try {
      await deps.journal.append([{ runId: deps.runId, type: "run-start", ...header }]);
    } catch (e) {
      writer.release();
      throw e;
    }
    return writer;
  }

  get runId(): string {
    return this.deps.runId;
  }

  get interrupted(): boolean {
    return this.stopped;
  }

  /** Every step journalled intent → outcome; after an interrupt, steps not yet started come back `not-started`. */
  apply<S extends Step>(steps: readonly S[], perform: Perform<S>, options: ApplyOptions): Promise<StepResult[]> {
    return options.batch ? this.applyBatched(steps, perform, options.batch, options) : this.applyEach(steps, perform, options);
  }

  /** A migrate's writes. Each intent says what will identify its write on the provider if the outcome is lost. */
  applyPlan(ops: readonly WriteOp[], store: SecretStore, options: Omit<ApplyOptions, "batch">): Promise<StepResult[]> {
    const digest = this.digest;
    if (!digest) throw new Error("Writer.applyPlan needs the data key");
    const steps = ops.map((op) => {
      const toVersion = store.nextVersion?.(op);
      const data = {
        ...(op.expectedVersion ? { fromVersion: op.expectedVersion } : {}),
        ...(toVersion ? { toVersion } : {}),
        digest: digest(op.name, op.value),
      };
      return { ...op, action: op.kind, data };
    });
    return this.apply(steps, (step) => store.write(step), { ...options, ...(store.batched ? { batch: store } : {}) });
  }

  /** A line about work that journals itself as one unit (a database transaction): `started`, then `done` or `failed`. */
  note(action: string, status: string, data: JournalEntry["data"], error?: string): Promise<void> {
    return this.deps.journal.append([{ runId: this.deps.runId, type: "note", action, status, ...(data ? { data } : {}), ...(error ? { error } : {}) }]);
  }

  /** Journals `run-end` (`interrupted` after a Ctrl-C) and stops handling Ctrl-C; returns the status written. */
  async end(status: string, data?: JournalEntry["data"]): Promise<string> {
    const final = this.stopped ? "interrupted" : status;
    this.ended = true;
    try {
      await this.deps.journal.append([{ runId: this.deps.runId, type: "run-end", status: final, ...(data ? { data } : {}) }]);
    } finally {
      this.release();
    }
    if (this.stopped) this.deps.warn(`interrupted: ${this.deps.resume}`);
    return final;
  }

  /** For a run that stops on an error: best effort `run-end failed`, so `rollback --last` can tell it wrote nothing. */
  async close(): Promise<void> {
    if (!this.ended) await this.end("failed").catch(() => undefined);
  }

  exitCode(code: number): number {
    return this.stopped ? ExitCode.interrupted : code;
  }

  private intent(s: Step) {
    return { runId: this.deps.runId, type: "intent" as const, name: s.name, action: s.action, ...(s.data ? { data: s.data } : {}) };
  }

  private async applyEach<S extends Step>(steps: readonly S[], perform: Perform<S>, options: ApplyOptions): Promise<StepResult[]> {
    const { journal } = this.deps;
    const results = new Map<S, StepResult>();
    let finished = 0;
    const work = async (step: S) => {
      await journal.append([this.intent(step)]);
      const result = await attempt(step, perform);
      results.set(step, result);
      await journal.append([outcome(result, this.deps.runId)]);
      options.onProgress?.(++finished, steps.length);
    };
    await runPool(steps, options.concurrency, work, () => this.stopped);
    return steps.map((s) => results.get(s) ?? { name: s.name, action: s.action, status: "not-started" });
  }

  /** Staged writes are all or nothing: they start only if no interrupt came first, and one flush makes them durable. */
  private async applyBatched<S extends Step>(steps: readonly S[], perform: Perform<S>, batch: ApplyOptions["batch"] & {}, options: ApplyOptions) {
    if (this.stopped) return steps.map((s): StepResult => ({ name: s.name, action: s.action, status: "not-started" }));
    const { journal, runId } = this.deps;
    await journal.append(steps.map((s) => this.intent(s)));
    const staged: StepResult[] = [];
    for (const step of steps) staged.push(await attempt(step, perform));
    let results = staged;
    try {
      await batch.flush();
    } catch (error) {
      const reason = describeError(error);
      results = staged.map((r) => (r.status === "done" ? { name: r.name, action: r.action, status: "failed", error: reason } : r));
    }
    await journal.append(results.map((r) => outcome(r, runId)));
    options.onProgress?.(steps.length, steps.length);
    return results;
  }
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
