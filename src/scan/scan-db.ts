import { usageError } from "../core/errors.js";
import { createDatabaseSource } from "../sources/database.js";
import { mask } from "../ui/mask.js";
import type { Fingerprinter } from "./baseline.js";
import { isSkipped, type Skipped, type TablePlan } from "./catalog.js";
import { looksRandom } from "./entropy.js";
import { openCatalog } from "./open-catalog.js";
import { scanText } from "./scan-text.js";
import { cellMove } from "./suggest.js";
import type { Finding } from "./types.js";

export interface DbScanOptions {
  /** To connect with (a SQLite path made absolute), and as the user typed it, for the suggested commands. */
  readonly url: string;
  readonly typedUrl: string;
  /** Named with --table; empty with --all-tables. */
  readonly tables: readonly string[];
  readonly allTables: boolean;
  readonly columns: readonly string[] | undefined;
  readonly key: string | undefined;
  /** Every row, not a sample. */
  readonly full: boolean;
  /** Rows to sample per table when not `full`. */
  readonly sample: number;
  readonly fingerprints: Fingerprinter;
}

export interface TableReport {
  readonly table: string;
  readonly columns: readonly string[];
  readonly key: string;
  /** Rows in the table (the planner's estimate for PostgreSQL), and non-empty cells read. */
  readonly rows: number;
  readonly cells: number;
  readonly sampled: boolean;
}

export interface DbScan {
  readonly findings: Finding[];
  readonly tables: TableReport[];
  readonly skipped: Skipped[];
}

const PLAIN_ROW = /^(?:-?\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** A row key is data too: one that could be a secret itself (a tokens table keyed by token) is masked. */
function shownRow(row: string, keyColumn: string): string {
  if (PLAIN_ROW.test(row)) return row;
  const plain = row.length <= 64 && /^[\w.@:-]+$/.test(row) && !looksRandom(row) && scanText(row, { bare: true, key: keyColumn }).length === 0;
  return plain ? row : mask(row);
}

/** A driver warning names its row (`businesses[key=…]`): the same masking applies. */
export const shownRowIn = (message: string): string => message.replace(/\[key=([^\]]*)\]/g, (_m, row: string) => `[key=${shownRow(row, "")}]`);

export async function scanDatabase(options: DbScanOptions, warn: (message: string) => void): Promise<DbScan> {
  const catalog = await openCatalog(options.url);
  const plans: (TablePlan & { where: string | undefined })[] = [];
  const skipped: Skipped[] = [];
  try {
    const listed = options.allTables ? await catalog.tables() : { tables: options.tables, skipped: [] };
    skipped.push(...listed.skipped);
    for (const table of listed.tables) {
      const plan = await catalog.plan(table, options.columns, options.key);
      // A table named on the command line that cannot be read is an error; one the catalog listed is a note.
      if (isSkipped(plan) && !options.allTables) throw usageError("DB_TABLE_NOT_SCANNABLE", `${table} cannot be scanned: ${plan.reason}`);
      if (isSkipped(plan)) skipped.push(plan);
      // The sample rides on the source's read-only --where, so cells are read exactly as migrate reads them.
      else plans.push({ ...plan, where: !options.full && plan.rows > options.sample ? catalog.sampleWhere(plan.key, options.sample / plan.rows) : undefined });
    }
  } finally {
    await catalog.close();
  }
  const findings: Finding[] = [];
  const tables: TableReport[] = [];
  for (const plan of plans) {
    const source = await createDatabaseSource({ url: options.url, table: plan.table, columns: plan.columns, key: plan.key, where: plan.where });
    let cells = 0;
    try {
      for await (const batch of source.read()) {
        for (const w of batch.warnings) warn(`${w.source}: ${w.message}`);
        for (const entry of batch.entries) {
          cells++;
          const { row = "", column = "" } = entry.origin;
          for (const hit of scanText(entry.value, { bare: true, key: column })) {
            findings.push({
              rule: hit.rule,
              confidence: hit.confidence,
              location: { kind: "cell", table: plan.table, column, keyColumn: plan.key, row: shownRow(row, plan.key) },
              key: column,
              preview: hit.preview ?? mask(hit.value),
              fingerprint: options.fingerprints.of({ rule: hit.rule, place: `${plan.table}.${column}[key=${row}]`, value: hit.value, random: hit.random }),
              move: cellMove(options.typedUrl, plan.table, column, plan.key),
            });
          }
        }
      }
    } finally {
      await source.close();
    }
    tables.push({ table: plan.table, columns: plan.columns, key: plan.key, rows: plan.rows, cells, sampled: plan.where !== undefined });
  }
  return { findings, tables, skipped };
}
