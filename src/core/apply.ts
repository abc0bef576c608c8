import type { SecretStore, WriteOp } from "../providers/types.js";
import { describeError } from "./describe-error.js";
import { ExitCode, isCliError } from "./errors.js";
import type { JournalEntry, JournalEvent } from "./journal.js";
import {
  type ApplyOptions,
  attempt,
  type Done,
  failure,
  intent,
  journalFailed,
  notStarted,
  outcome,
  type Perform,
  type RunHeader,
  type Step,
  type StepResult,
  type Unit,
  type WriterDeps,
} from "./steps.js";

export type { ApplyOptions, Done, Perform, RunHeader, Step, StepResult, Unit, WriterDeps } from "./steps.js";

import { runPool } from "./pool.js";
import { writeDigester } from "./write-digest.js";

/**
 * The only code that writes to a provider: every step is journalled `intent` before and
 * `done`/`failed` after, between `run-start` and `run-end`. On Ctrl-C steps in flight finish and
 * are journalled and nothing new starts (a second Ctrl-C exits at once, real-deps.ts).
 *
 * A journal line that cannot be written stops the run: nothing more starts and the journal's error
 * goes up, leaving what a crash would, an intent without an outcome (a write in flight).
 */
export class Writer {
  private stopped = false;
  private broken = false;
  private begun = false;
  private ended = false;
  private final: string | undefined;
  private readonly release: () => void;
  private readonly digest: ((name: string, value: string) => string) | undefined;

  private constructor(private readonly deps: WriterDeps) {
    this.digest = deps.key && writeDigester(deps.key);
    this.release = deps.signals.onInterrupt(() => {
      if (this.stopped) return;
      this.stopped = true;
      deps.warn(deps.stopping ?? "interrupted: finishing the writes in flight, then stopping");
    });
  }

  /** For a run whose start is journalled already (a resumed rotation), or journalled later with `begin`. */
  static open(deps: WriterDeps): Writer {
    return new Writer(deps);
  }

  /** A migrate starts its writer before it plans, so a crash at any later point is that run's. */
  static async start(deps: WriterDeps, header: RunHeader): Promise<Writer> {
    const writer = new Writer(deps);
    try {
      await writer.begin(header);
    } catch (e) {
      writer.release();
      throw e;
    }
    return writer;
  }

  async begin(header: RunHeader): Promise<void> {
    await this.journal([{ runId: this.runId, type: "run-start", ...header }]);
    this.begun = true;
  }

  get runId(): string {
    return this.deps.runId;
  }

  get interrupted(): boolean {
    return this.stopped;
  }

  get journalBroken(): boolean {
    return this.broken;
  }

  apply<S extends Step>(steps: readonly S[], perform: Perform<S>, options: ApplyOptions): Promise<StepResult[]> {
    return options.batch ? this.applyBatched(steps, perform, options.batch, options) : this.applyEach(steps, perform, options);
  }

  /** Each intent says what will identify its write on the provider if the outcome is lost. */
  applyPlan(ops: readonly WriteOp[], store: SecretStore, options: Omit<ApplyOptions, "batch">): Promise<StepResult[]> {
    const digest = this.digest;
    if (!digest) throw new Error("Writer.applyPlan needs the data key");
    const steps = ops.map((op) => {
      const toVersion = store.nextVersion?.(op);
      const written = digest(op.name, op.value);
      const data = {
        ...(op.expectedVersion ? { fromVersion: op.expectedVersion } : {}),
        ...(toVersion ? { toVersion } : {}),
        digest: written,
        // A write under another run id (--with-previous's first write): a revert must look for that id.
        ...(op.runId === this.runId ? {} : { writtenAs: op.runId }),
      };
      return { ...op, digest: written, action: op.kind, data };
    });
    return this.apply(steps, (step) => store.write(step), { ...options, ...(store.batched ? { batch: store } : {}) });
  }

  /** One step on its own (a rotation's): the work's error is thrown after its `failed` line. */
  async step<T>(step: Step, work: () => Promise<T>): Promise<T> {
    if (this.broken) throw journalFailed("an earlier journal line could not be written");
    await this.journal([intent(this.runId, step)]);
    let done: T;
    try {
      done = await work();
    } catch (error) {
      await this.journal([outcome(this.runId, failure(step, error))]);
      throw error;
    }
    const version = (done as { version?: unknown } | undefined)?.version;
    await this.confirm(step, typeof version === "string" ? { version } : {});
    return done;
  }

  /** Also for an outcome learned later: a step that failed on the wire but landed (`confirmed`). */
  confirm(step: Step, done: NonNullable<Done>): Promise<void> {
    return this.journal([outcome(this.runId, { name: step.name, action: step.action, status: "done", ...done })]);
  }

  /** One all-or-nothing unit outside the provider (a database transaction): noted `started`, then `done` or `failed`. */
  async transaction<T>(unit: Unit, work: () => Promise<{ result: T; data: JournalEntry["data"] }>): Promise<T> {
    const note = (status: string, extra: JournalEntry["data"], error?: string) =>
      this.journal([{ runId: this.runId, type: "note", action: unit.action, status, data: { ...unit.data, ...extra }, ...(error ? { error } : {}) }]);
    await note("started", unit.started);
    let done: { result: T; data: JournalEntry["data"] };
    try {
      done = await work();
    } catch (error) {
      await note("failed", unit.failed, describeError(error));
      throw error;
    }
    await note("done", done.data);
    return done.result;
  }

  note(event: JournalEvent): Promise<void> {
    return this.journal([event]);
  }

  /** A run that `failed` because an interrupt kept work from starting ends `interrupted`. */
  async end(status: string, data?: JournalEntry["data"]): Promise<string> {
    const final = this.stopped && status === "failed" ? "interrupted" : status;
    this.ended = true;
    try {
      await this.journal([{ runId: this.runId, type: "run-end", status: final, ...(data ? { data } : {}) }]);
    } finally {
      this.release();
    }
    this.final = final;
    if (final === "interrupted" && this.deps.resume) this.deps.warn(`interrupted: ${this.deps.resume}`);
    return final;
  }

  /** Best effort `run-end failed` for a run it began, so `rollback --last` can tell it wrote nothing. */
  async close(): Promise<void> {
    if (this.begun && !this.ended) await this.end("failed").catch(() => undefined);
    this.release();
  }

  exitCode(code: number): number {
    return this.final === "interrupted" ? ExitCode.interrupted : code;
  }

  private async journal(events: JournalEvent[]): Promise<void> {
    try {
      await this.deps.journal.append(events);
    } catch (error) {
      this.broken = true;
      throw isCliError(error) ? error : journalFailed(describeError(error), error);
    }
  }

  private async applyEach<S extends Step>(steps: readonly S[], perform: Perform<S>, options: ApplyOptions): Promise<StepResult[]> {
    const results = new Map<S, StepResult>();
    let finished = 0;
    const work = async (step: S) => {
      await this.journal([intent(this.runId, step)]);
      const result = await attempt(step, perform);
      results.set(step, result);
      await this.journal([outcome(this.runId, result)]);
      options.onProgress?.(++finished, steps.length);
    };
    await runPool(steps, options.concurrency, work, () => this.stopped || this.broken);
    return steps.map((s) => results.get(s) ?? notStarted(s));
  }

  /** All or nothing: they start only if no interrupt came first, and one flush makes them durable. */
  private async applyBatched<S extends Step>(steps: readonly S[], perform: Perform<S>, batch: ApplyOptions["batch"] & {}, options: ApplyOptions) {
    if (this.stopped) return steps.map(notStarted);
    await this.journal(steps.map((s) => intent(this.runId, s)));
    const staged: StepResult[] = [];
    for (const step of steps) staged.push(await attempt(step, perform));
    let results = staged;
    try {
      await batch.flush();
    } catch (error) {
      results = staged.map((r) => (r.status === "done" ? failure(r, error) : r));
    }
    await this.journal(results.map((r) => outcome(this.runId, r)));
    options.onProgress?.(steps.length, steps.length);
    return results;
  }
}
