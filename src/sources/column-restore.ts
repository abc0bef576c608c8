import type { Writer } from "../core/apply.js";
import type { Backup, ScrubbedCell } from "../core/backup.js";
import { CliError, ExitCode } from "../core/errors.js";
import type { Reporter } from "../ui/reporter.js";
import { SKIPPED_META } from "./column-scrub.js";
import type { CellRef, DatabaseSource } from "./database.js";

/** Rollback's account of a run's scrubbed cells (`cells` in its `--json`). */
export interface CellsReport {
  /** Cells the run's backup holds: what a dry run would try to put back. */
  readonly restore: number;
  readonly restored?: number;
  /** Already hold their pre-scrub value (rolled back before). */
  readonly already?: number;
  /** Changed by someone after the scrub: left alone, like a vault `changed-since`. */
  readonly changedSince?: number;
}

const SHOWN = 20;

/** The cells a run's scrub really replaced: those in the backup minus the ones it skipped. */
export function scrubbedCellsOf(backup: Backup): ScrubbedCell[] {
  const skipped = backup.meta[SKIPPED_META];
  if (skipped === undefined) return backup.cells;
  const left = new Set((JSON.parse(skipped) as [string, string][]).map(([key, column]) => cellId({ key, column })));
  return backup.cells.filter((c) => !left.has(cellId(c)));
}
const cellId = (c: CellRef) => `${c.key}\0${c.column}`;

/**
 * Reconnects to the database a run scrubbed (its URL is in the run's encrypted backup) and checks
 * it may write there, before rollback changes anything anywhere.
 */
export async function openScrubbedTable(backup: Backup): Promise<DatabaseSource> {
  const { "scrub.db": url, "scrub.table": table, "scrub.key": key } = backup.meta;
  if (!url || !table || !key) {
    throw new CliError("BACKUP_CORRUPT", "the backup holds scrubbed cells but not the database they came from", {
      exitCode: ExitCode.failed,
      hint: "it may come from a newer secretshift; upgrade and retry",
    });
  }
  const columns = [...new Set(backup.cells.map((c) => c.column))];
  const { createDatabaseSource } = await import("./database.js");
  const source = await createDatabaseSource({ url, table, columns, key });
  await source.assertCanScrub();
  return source;
}

/**
 * One transaction: a cell goes back only while it still holds exactly what scrub wrote. It does
 * not start after a Ctrl-C; one that comes during it lets it finish and be journalled.
 */
export async function restoreScrubbedCells(
  source: DatabaseSource,
  cells: readonly ScrubbedCell[],
  run: { writer: Writer; reporter: Reporter },
): Promise<CellsReport> {
  if (run.writer.interrupted) return { restore: cells.length };
  const { restored, already, changed } = await run.writer.transaction(
    { action: "restore-cells", data: { table: source.table }, started: { cells: cells.length } },
    async () => {
      const { restored, skipped } = await source.restoreCells(
        cells.map((c) => ({ key: c.key, column: c.column, expectedCurrent: c.replacement ?? null, value: c.value })),
      );
      const changed = skipped.length === 0 ? [] : await notYetRestored(source, cells, skipped);
      const already = skipped.length - changed.length;
      return { result: { restored, already, changed }, data: { restored, already, changedSince: changed.length } };
    },
  );
  for (const c of changed.slice(0, SHOWN)) run.reporter.warn(`${source.table}.${c.column}[key=${c.key}] changed after the scrub; left alone`);
  if (changed.length > SHOWN) run.reporter.warn(`… and ${changed.length - SHOWN} more cell(s) changed after the scrub; left alone`);
  return { restore: cells.length, restored, already, changedSince: changed.length };
}

/**
 * A skipped cell either already holds its pre-scrub value (a second rollback: harmless) or was
 * changed by someone else. One streamed read tells them apart without holding the table.
 */
async function notYetRestored(source: DatabaseSource, cells: readonly ScrubbedCell[], skipped: readonly CellRef[]): Promise<CellRef[]> {
  const wanted = new Set(skipped.map(cellId));
  const before = new Map(cells.filter((c) => wanted.has(cellId(c))).map((c) => [cellId(c), c.value]));
  for await (const batch of source.read()) {
    for (const e of batch.entries) {
      const id = `${e.origin.row}\0${e.origin.column}`;
      if (before.get(id) === e.value) wanted.delete(id);
    }
  }
  return skipped.filter((c) => wanted.has(cellId(c)));
}
