import type { Writer } from "../core/apply.js";
import type { Backup, ScrubbedCell } from "../core/backup.js";
import { CliError, ExitCode } from "../core/errors.js";
import type { Reporter } from "../ui/reporter.js";
import { SKIPPED_META } from "./column-scrub.js";
import type { CellRef, DatabaseSource } from "./database.js";

export interface CellsReport {
  /** What a dry run would try to put back. */
  readonly restore: number;
  readonly restored?: number;
  /** Rolled back before. */
  readonly already?: number;
  /** Left alone, like a vault `changed-since`. */
  readonly changedSince?: number;
}

const SHOWN = 20;

/** Those in the backup minus the ones the scrub skipped. */
export function scrubbedCellsOf(backup: Backup): ScrubbedCell[] {
  const skipped = backup.meta[SKIPPED_META];
  if (skipped === undefined) return backup.cells;
  const left = new Set((JSON.parse(skipped) as [string, string][]).map(([key, column]) => cellId({ key, column })));
  return backup.cells.filter((c) => !left.has(cellId(c)));
}
const cellId = (c: CellRef) => `${c.key}\0${c.column}`;

/** From the URL in the run's encrypted backup; checks it may write there before rollback changes anything. */
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

/** A cell goes back only while it holds exactly what scrub wrote. No start after a Ctrl-C. */
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

/** Already restored (harmless) or changed by someone: one streamed read tells, without holding the table. */
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
