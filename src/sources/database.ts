import type { ScrubbedCell } from "../core/backup.js";
import { usageError } from "../core/errors.js";
import type { DatabaseSource, ScrubCell, TableSpec } from "./database-driver.js";
import { checkIdentifier, parseQualifiedName } from "./sql-identifiers.js";

export type { CellRef, DatabaseSource, RestoreCell, ScrubCell } from "./database-driver.js";

export type DbTarget = { kind: "postgres"; url: string } | { kind: "sqlite"; path: string };

export interface DatabaseSourceOptions {
  url: string;
  table: string;
  columns: readonly string[];
  /** Must be unique: it names the secrets and addresses scrub/restore. */
  key?: string;
  /** SQL by design; it only ever runs in a read-only transaction. */
  where?: string;
  batchSize?: number;
}

export function parseDbUrl(url: string): DbTarget {
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: "postgres", url };
  const sqlite = /^sqlite:(.*)$/is.exec(url);
  if (sqlite) {
    // sqlite:data.db, sqlite:/abs/data.db and sqlite:///abs/data.db all name a file.
    const path = (sqlite[1] ?? "").replace(/^\/\//, "");
    if (path === "" || path === ":memory:") throw usageError("DB_URL_INVALID", "sqlite: needs a database file path", "e.g. --db sqlite:./data/app.db");
    return { kind: "sqlite", path };
  }
  // Only the scheme is echoed: the rest may hold a password.
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1] ?? "(none)";
  throw usageError("DB_URL_UNSUPPORTED", `unsupported database URL scheme "${scheme}"`, "use postgres://user@host:port/db or sqlite:<path>");
}

export function tableSpec(options: DatabaseSourceOptions): TableSpec {
  const table = parseQualifiedName(options.table, "--table");
  const key = checkIdentifier(options.key ?? "id", "--key");
  const columns = [...new Set(options.columns.map((c) => checkIdentifier(c.trim(), "column")))];
  if (columns.length === 0) throw usageError("DB_NO_COLUMNS", "--columns names no column", "e.g. --columns gemini_api_key,claude_api_key");
  if (columns.includes(key))
    throw usageError("DB_KEY_IS_SECRET", `--key ${key} is also listed in --columns`, "the key names each row; pick another --key or drop it from --columns");
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw usageError("DB_BAD_BATCH_SIZE", `batch size must be a positive integer, got ${batchSize}`);
  const where = options.where?.trim() || undefined;
  return { table, columns, key, where, batchSize };
}

export async function createDatabaseSource(options: DatabaseSourceOptions): Promise<DatabaseSource> {
  const target = parseDbUrl(options.url);
  const spec = tableSpec(options);
  // Native code only when a --db source is used.
  if (target.kind === "postgres") return (await import("./database-postgres.js")).openPostgresSource(target.url, spec);
  return (await loadSqlite()).openSqliteSource(target.path, spec);
}

/** better-sqlite3 is an optional, native dependency: a machine that could not build it gets one clear line. */
export async function loadSqlite(): Promise<typeof import("./database-sqlite.js")> {
  try {
    return await import("./database-sqlite.js");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND") throw error;
    throw usageError(
      "SQLITE_DRIVER_MISSING",
      "sqlite: sources need the better-sqlite3 package, which is not installed",
      "npm install better-sqlite3 (it builds a native module: needs python3, make and a C++ compiler)",
    );
  }
}

export const scrubbedCell = (source: Pick<DatabaseSource, "table">, cell: ScrubCell): ScrubbedCell => ({
  table: source.table,
  column: cell.column,
  key: cell.key,
  value: cell.expected,
});
