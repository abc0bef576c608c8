import { createHash } from "node:crypto";
import type { ScrubbedCell } from "../core/backup.js";
import { CliError, ExitCode, usageError } from "../core/errors.js";
import { checkIdentifier, parseQualifiedName, type QualifiedName, quoteIdent, quoteQualified } from "./sql-identifiers.js";
import type { SecretSource, SourceBatch, SourceEntry, SourceWarning } from "./types.js";

export type DbTarget = { kind: "postgres"; url: string } | { kind: "sqlite"; path: string };

export interface DatabaseSourceOptions {
  /** `postgres://…`, `postgresql://…` or `sqlite:<path>`. */
  url: string;
  /** `businesses` or `app.businesses`. */
  table: string;
  columns: readonly string[];
  /** Row key column (default `id`); must be unique, it names the secrets and addresses scrub/restore. */
  key?: string;
  /** An SQL expression by design; it only ever runs inside a read-only transaction/connection. */
  where?: string;
  /** Most entries per yielded batch (default 1000). */
  batchSize?: number;
}

export interface CellRef {
  key: string;
  column: string;
}
/** Replace a migrated cell, but only while it still holds `expected` (the value that was migrated). */
export interface ScrubCell extends CellRef {
  expected: string;
  replacement: string | null;
}
/** Put a cell back, but only while it still holds what scrub wrote (`expectedCurrent`). */
export interface RestoreCell extends CellRef {
  expectedCurrent: string | null;
  value: string | null;
}
export type Cells<T> = Iterable<T> | AsyncIterable<T>;

/** A column source: read like any source, plus what `--scrub`, `rollback` and `--emit-sql` need. */
export interface DatabaseSource extends SecretSource {
  readonly kind: DbTarget["kind"];
  readonly table: string;
  readonly columns: readonly string[];
  readonly keyColumn: string;
  /** Throws (exit 3, naming the privilege) unless scrub/restore could write every column. Call before the first vault write. */
  assertCanScrub(): Promise<void>;
  /** One transaction; a cell that no longer holds `expected` is skipped and reported, not overwritten. */
  scrub(cells: Cells<ScrubCell>): Promise<{ scrubbed: number; skipped: CellRef[] }>;
  /** One transaction; a cell that no longer holds what scrub wrote is skipped and reported. */
  restoreCells(cells: Cells<RestoreCell>): Promise<{ restored: number; skipped: CellRef[] }>;
  /** The follow-up `ALTER TABLE … DROP COLUMN` migration, never run by us. */
  emitDropSql(): string;
}

/** What a driver needs, validated: identifiers checked, defaults applied. */
export interface TableSpec {
  table: QualifiedName;
  columns: string[];
  key: string;
  where: string | undefined;
  batchSize: number;
}

/** Both drivers implement scrub and restore as the same guarded update. */
export interface GuardedUpdate extends CellRef {
  expected: string | null;
  value: string | null;
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
  // Drivers are loaded only when a --db source is used, so other commands never load native code.
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

/** The SELECT both drivers stream: key first, then each column as text, ordered by key. */
export function selectSql(spec: TableSpec, asText: (quoted: string) => string[]): string {
  const columns = [spec.key, ...spec.columns].flatMap((c) => asText(quoteIdent(c)));
  // Newlines so a trailing `--` comment in --where cannot swallow the closing parenthesis.
  const where = spec.where === undefined ? "" : ` WHERE (\n${spec.where}\n)`;
  return `SELECT ${columns.join(", ")} FROM ${quoteQualified(spec.table)}${where}\nORDER BY ${quoteIdent(spec.key)}`;
}

export function dropColumnsSql(spec: TableSpec, dialect: string): string {
  const table = quoteQualified(spec.table);
  return [
    `-- secretshift: drop the migrated secret columns of ${spec.table.text} (${dialect}).`,
    "-- Written, never run. Apply it only when all of this is true:",
    "--   1. every consumer reads these secrets from the vault, not from these columns (deployed everywhere);",
    "--   2. `secrets validate` passes for this table;",
    "--   3. no run that scrubbed these columns will need `secrets rollback` (it cannot restore dropped columns);",
    "--   4. you have a database backup taken after the scrub.",
    "BEGIN;",
    ...spec.columns.map((c) => `ALTER TABLE ${table} DROP COLUMN ${quoteIdent(c)};`),
    "COMMIT;",
    "",
  ].join("\n");
}

/** The SHA-256 of a cell's UTF-8 text, hex: guarded updates compare cells by it, never by the value (NULL stays NULL). */
export const digestOf = (text: string | null): string | null => (text === null ? null : createHash("sha256").update(text, "utf8").digest("hex"));

export const toGuarded = {
  scrub: (c: ScrubCell): GuardedUpdate => ({ key: c.key, column: c.column, expected: c.expected, value: c.replacement }),
  restore: (c: RestoreCell): GuardedUpdate => ({ key: c.key, column: c.column, expected: c.expectedCurrent, value: c.value }),
};

/** The backup record for a cell scrub is about to overwrite (written before the scrub transaction). */
export const scrubbedCell = (source: Pick<DatabaseSource, "table">, cell: ScrubCell): ScrubbedCell => ({
  table: source.table,
  column: cell.column,
  key: cell.key,
  value: cell.expected,
});

export async function* mapCells<T, U>(cells: Cells<T>, fn: (cell: T) => U): AsyncGenerator<U> {
  for await (const cell of cells) yield fn(cell);
}

export function checkCellColumn(spec: TableSpec, column: string): void {
  if (!spec.columns.includes(column)) {
    throw usageError("DB_COLUMN_NOT_SOURCED", `column ${column} is not one of this source's columns (${spec.columns.join(", ")})`);
  }
}

export const missingTableError = (table: string, where: string, tables: string[]): CliError =>
  usageError(
    "DB_TABLE_NOT_FOUND",
    `table ${table} does not exist in ${where}${tables.length ? `; tables: ${tables.join(", ")}` : " (it has no tables)"}`,
    "check --table (schema-qualify it as schema.table if needed); names are case-sensitive",
  );

export const missingColumnError = (table: string, column: string, columns: string[]): CliError =>
  usageError("DB_COLUMN_NOT_FOUND", `column ${column} does not exist in table ${table}; its columns: ${columns.join(", ")}`, "check --columns and --key");

export const binaryColumnError = (table: string, column: string, type: string): CliError =>
  usageError(
    "DB_BINARY_COLUMN",
    `column ${column} of ${table} is binary (${type}); secrets are migrated as text, so binary columns are refused`,
    "leave it out of --columns, or convert it to text (e.g. base64) first",
  );

/** Generic failure of a query that is neither bad usage nor unreachability. */
export const queryFailed = (message: string): CliError => new CliError("DB_QUERY_FAILED", message, { exitCode: ExitCode.failed });

/**
 * Turns rows into entries and cuts them into batches of at most `batchSize` entries.
 * NULL and empty cells are not secrets; a repeated key would make two secrets with one name.
 */
export class EntryBatcher {
  private entries: SourceEntry[] = [];
  private warnings: SourceWarning[] = [];
  private previousKey: string | undefined;
  private nullKeys = 0;

  constructor(
    private readonly spec: TableSpec,
    private readonly label: string,
  ) {}

  addRow(key: string | null, values: readonly (string | null)[]): void {
    if (key === null) {
      this.nullKeys++;
      return;
    }
    if (key === this.previousKey) {
      throw usageError(
        "DB_KEY_NOT_UNIQUE",
        `--key ${this.spec.key} is not unique in ${this.spec.table.text} (value ${JSON.stringify(key)} repeats)`,
        "pick a unique key column such as the primary key",
      );
    }
    this.previousKey = key;
    const table = this.spec.table.text;
    this.spec.columns.forEach((column, i) => {
      const value = values[i];
      if (value === null || value === undefined || value === "") return;
      this.entries.push({ key: column, value, origin: { source: `${table}.${column}[key=${key}]`, table, row: key, column } });
    });
  }

  warn(message: string, row?: string): void {
    this.warnings.push({ source: row === undefined ? this.label : `${this.spec.table.text}[key=${row}]`, message });
  }

  /** Full batches now; with `final`, also the remainder (and the NULL-key summary). */
  *drain(final: boolean): Generator<SourceBatch> {
    const size = this.spec.batchSize;
    while (this.entries.length >= size || (final && (this.entries.length > 0 || this.warnings.length > 0 || this.nullKeys > 0))) {
      if (final && this.nullKeys > 0 && this.entries.length < size) {
        this.warn(`${this.nullKeys} row(s) with NULL ${this.spec.key} skipped`);
        this.nullKeys = 0;
      }
      const entries = this.entries.splice(0, size);
      const warnings = this.warnings;
      this.warnings = [];
      yield { entries, warnings };
    }
  }
}
