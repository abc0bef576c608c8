import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Writer } from "../core/apply.js";
import type { BackupWriter, ScrubbedCell } from "../core/backup.js";
import { describeError } from "../core/describe-error.js";
import { isCliError, usageError } from "../core/errors.js";
import type { DesiredSecret, Plan } from "../core/plan.js";
import { formatReference, referenceInCell } from "../core/secret-reference.js";
import type { ProviderName } from "../providers/index.js";
import type { Reporter } from "../ui/reporter.js";
import { type DatabaseSource, parseDbUrl, type ScrubCell, scrubbedCell } from "./database.js";
import type { SecretSource } from "./types.js";

export type ScrubMode = "none" | "null" | "reference";
const MODES: readonly ScrubMode[] = ["none", "null", "reference"];
/** Plan actions whose value is in the vault once the run succeeds. */
const MIGRATED = new Set(["create", "update", "unchanged"]);
/** The `[key, column]` cells scrub skipped because they changed since they were read. */
export const SKIPPED_META = "scrub.skipped";
/** So one sealed backup line stays small. */
const FRAME_CELLS = 2000;
const SHOWN_SKIPS = 20;

export interface ColumnStepOptions {
  readonly scrub?: ScrubMode;
  readonly emitSql?: string;
  readonly dryRun?: boolean;
  readonly db?: string;
}

export interface FinishedRun {
  readonly ok: boolean;
  readonly why?: string;
  readonly cells: readonly ScrubCell[];
  readonly writer: Writer;
  readonly backup: BackupWriter;
}

export interface StepOutcome {
  readonly json: Record<string, unknown>;
  readonly failed: boolean;
}

export const isDatabaseSource = (s: SecretSource): s is DatabaseSource =>
  typeof (s as Partial<DatabaseSource>).scrub === "function" && typeof (s as Partial<DatabaseSource>).restoreCells === "function";

/** A cell holding `secret:<provider>:<name>` was scrubbed before: migrating it would overwrite the real secret. */
export const isReferenceCell = (d: DesiredSecret): boolean => referenceInCell(d) !== undefined;

/** `--scrub` and `--emit-sql`: what migrate does to its database columns after the vault writes. */
export class ColumnStep {
  private constructor(
    private readonly source: DatabaseSource | undefined,
    private readonly mode: ScrubMode,
    private readonly emitPath: string | undefined,
    private readonly dbUrl: string,
    private readonly provider: ProviderName,
    private readonly reporter: Reporter,
  ) {}

  /** Before any vault write: that scrub will be allowed to UPDATE every column. */
  static async prepare(
    sources: readonly SecretSource[],
    options: ColumnStepOptions,
    cwd: string,
    provider: ProviderName,
    reporter: Reporter,
  ): Promise<ColumnStep> {
    const mode = options.scrub ?? "none";
    if (!MODES.includes(mode)) throw usageError("BAD_OPTION", `--scrub must be none, null or reference, got "${mode}"`);
    const source = sources.find(isDatabaseSource);
    if ((mode !== "none" || options.emitSql !== undefined) && !source) {
      throw usageError(
        "DB_REQUIRED",
        `${mode !== "none" ? "--scrub" : "--emit-sql"} works on database columns`,
        "add --db <url> --table <t> --columns <c1,c2>",
      );
    }
    if (mode !== "none" && source) {
      try {
        await source.assertCanScrub();
      } catch (e) {
        // A dry run reports what the live run would hit instead of failing on it.
        if (!options.dryRun || !isCliError(e)) throw e;
        reporter.warn(`a live run could not scrub: ${e.message}`);
      }
    }
    const emitPath = options.emitSql === undefined ? undefined : resolve(cwd, options.emitSql);
    const dbUrl = options.db === undefined ? "" : reconnectUrl(options.db, cwd);
    return new ColumnStep(source, mode, emitPath, dbUrl, provider, reporter);
  }

  planned(plan: Plan, desired: readonly DesiredSecret[]): number {
    let n = 0;
    for (const _ of this.cells(plan, desired)) n++;
    return n;
  }

  describe(cells: number): string {
    return cells === 0 || !this.source
      ? ""
      : `, then ${this.mode === "null" ? "set" : "replace"} ${cells} cell(s) of ${this.source.table} ${this.mode === "null" ? "to NULL" : "by references"}`;
  }

  collect(plan: Plan, desired: readonly DesiredSecret[]): ScrubCell[] {
    return [...this.cells(plan, desired)];
  }

  /** `--emit-sql` only for a live run that was fine. */
  async withoutRun(cells: number, blocked: boolean, live: boolean): Promise<StepOutcome> {
    const json: Record<string, unknown> = {};
    if (this.mode !== "none") {
      const planned = blocked ? 0 : cells;
      json.scrub = { mode: this.mode, planned, scrubbed: 0, skipped: 0 };
      if (!live && planned > 0) this.reporter.info(`dry run: would scrub ${planned} cell(s) of ${this.source?.table} (${this.mode})`);
    }
    const emitted = this.emitPath ? await this.emit(live && !blocked) : undefined;
    if (emitted) json.emitSql = emitted;
    return { json, failed: emitted?.error !== undefined };
  }

  async afterRun(run: FinishedRun): Promise<StepOutcome> {
    const json: Record<string, unknown> = {};
    let failed = false;
    if (this.mode !== "none" && this.source) {
      // A Ctrl-C after the vault writes stops the scrub from starting; one during it lets the transaction finish.
      const why = run.why ?? (run.writer.interrupted ? "the run was interrupted" : undefined);
      if (why === undefined) {
        const result = await this.scrub(this.source, run);
        json.scrub = result;
        failed = result.error !== undefined;
      } else {
        json.scrub = { mode: this.mode, scrubbed: 0, skipped: 0, error: `not scrubbed: ${why}` };
        this.reporter.warn(`${why}: nothing was scrubbed (every cell still holds its value); fix the cause, then run migrate again with --scrub ${this.mode}`);
      }
    }
    const emitted = this.emitPath ? await this.emit(run.ok && !run.writer.interrupted && !failed) : undefined;
    if (emitted) json.emitSql = emitted;
    return { json, failed: failed || emitted?.error !== undefined };
  }

  private *cells(plan: Plan, desired: readonly DesiredSecret[]): Generator<ScrubCell> {
    const source = this.source;
    if (this.mode === "none" || !source) return;
    const migrated = new Set(plan.items.filter((i) => MIGRATED.has(i.action)).map((i) => i.name));
    for (const d of desired) {
      const { table, row, column } = d.origin;
      if (table !== source.table || row === undefined || column === undefined || !migrated.has(d.name)) continue;
      yield { key: row, column, expected: d.value, replacement: this.mode === "null" ? null : formatReference(this.provider, d.name) };
    }
  }

  private async scrub(source: DatabaseSource, run: FinishedRun) {
    const { mode } = this;
    try {
      const cells = await this.backUp(source, run);
      const unit = { action: "scrub", data: { mode, table: source.table }, started: { cells }, failed: { scrubbed: 0 } };
      const { scrubbed, skipped } = await run.writer.transaction(unit, async () => {
        const result = await source.scrub(run.cells);
        const left = result.skipped.map((c) => [c.key, c.column]);
        if (left.length > 0) await run.backup.append({ priors: [], meta: { [SKIPPED_META]: JSON.stringify(left) } });
        return { result, data: { scrubbed: result.scrubbed, skipped: left.length } };
      });
      for (const s of skipped.slice(0, SHOWN_SKIPS)) this.reporter.warn(`${source.table}.${s.column}[key=${s.key}] changed since it was read; not scrubbed`);
      if (skipped.length > SHOWN_SKIPS) this.reporter.warn(`… and ${skipped.length - SHOWN_SKIPS} more cell(s) changed since they were read; not scrubbed`);
      this.reporter.info(`scrubbed ${scrubbed} cell(s) of ${source.table} (${mode === "null" ? "set to NULL" : "replaced by secret:<provider>:<name>"})`);
      return { mode, scrubbed, skipped: skipped.length, skippedCells: skipped };
    } catch (e) {
      if (run.writer.journalBroken) throw e;
      const error = describeError(e);
      this.reporter.warn(`scrub failed, nothing was scrubbed (the transaction was rolled back): ${error}`);
      return { mode, scrubbed: 0, skipped: 0, error };
    }
  }

  private async backUp(source: DatabaseSource, run: FinishedRun): Promise<number> {
    await run.backup.append({
      priors: [],
      meta: { "scrub.db": this.dbUrl, "scrub.table": source.table, "scrub.key": source.keyColumn, "scrub.mode": this.mode },
    });
    let cells = 0;
    const frame: ScrubbedCell[] = [];
    for (const cell of run.cells) {
      frame.push({ ...scrubbedCell(source, cell), replacement: cell.replacement });
      if (frame.length >= FRAME_CELLS) await run.backup.append({ priors: [], cells: frame.splice(0) });
      cells++;
    }
    if (frame.length > 0) await run.backup.append({ priors: [], cells: frame });
    return cells;
  }

  private async emit(write: boolean): Promise<{ path: string; written: boolean; error?: string }> {
    const path = this.emitPath as string;
    if (!write || !this.source) {
      this.reporter.info(`--emit-sql: ${path} not written (${write ? "no database source" : "only a successful live run writes it"})`);
      return { path, written: false };
    }
    try {
      // Identifiers only, no value: an ordinary file for code review.
      await writeFile(path, this.source.emitDropSql(), { mode: 0o644 });
    } catch (e) {
      this.reporter.warn(`--emit-sql: could not write ${path}: ${describeError(e)}`);
      return { path, written: false, error: describeError(e) };
    }
    this.reporter.info(`wrote the DROP COLUMN migration to ${path} (not run; read its comments first)`);
    return { path, written: true };
  }
}

/** It may hold a password: it only ever goes into the encrypted backup. */
function reconnectUrl(url: string, cwd: string): string {
  const target = parseDbUrl(url);
  return target.kind === "sqlite" ? `sqlite:${resolve(cwd, target.path)}` : url;
}
