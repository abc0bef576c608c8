import { createHash } from "node:crypto";
import { CliError, ExitCode, usageError } from "../core/errors.js";
import { type QualifiedName, quoteIdent, quoteQualified } from "./sql-identifiers.js";
import type { SecretSource, SourceBatch, SourceEntry, SourceWarning } from "./types.js";

export interface CellRef {
  key: string;
  column: string;
}
/** Only while the cell still holds `expected`, the value that was migrated. */
export interface ScrubCell extends CellRef {
  expected: string;
  replacement: string | null;
}
/** Only while the cell still holds what scrub wrote. */
export interface RestoreCell extends CellRef {
  expectedCurrent: string | null;
  value: string | null;
}
export type Cells<T> = Iterable<T> | AsyncIterable<T>;

export interface DatabaseSource extends SecretSource {
  readonly kind: "postgres" | "sqlite";
  readonly table: string;
  readonly columns: readonly string[];
  readonly keyColumn: string;
  /** Exit 3, naming the privilege; called before the first vault write. */
  assertCanScrub(): Promise<void>;
  /** One transaction; a cell that changed is skipped and reported, never overwritten. */
  scrub(cells: Cells<ScrubCell>): Promise<{ scrubbed: number; skipped: CellRef[] }>;
  restoreCells(cells: Cells<RestoreCell>): Promise<{ restored: number; skipped: CellRef[] }>;
  emitDropSql(): string;
}

export interface TableSpec {
  table: QualifiedName;
  columns: string[];
  key: string;
  where: string | undefined;
  batchSize: number;
}

export interface GuardedUpdate extends CellRef {
  expected: string | null;
  value: string | null;
}

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

/** Guarded updates compare cells by their digest, never by the value. */
export const digestOf = (text: string | null): string | null => (text === null ? null : createHash("sha256").update(text, "utf8").digest("hex"));

export const toGuarded = {
  scrub: (c: ScrubCell): GuardedUpdate => ({ key: c.key, column: c.column, expected: c.expected, value: c.replacement }),
  restore: (c: RestoreCell): GuardedUpdate => ({ key: c.key, column: c.column, expected: c.expectedCurrent, value: c.value }),
};

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

export const queryFailed = (message: string): CliError => new CliError("DB_QUERY_FAILED", message, { exitCode: ExitCode.failed });

/**
 * A table's (row, column) pairs are distinct (a repeated key is refused below), and the default template
 * keeps them so while no column name holds the `/` that separates them.
 */
export const distinctCellNames = (columns: readonly string[], template: string | undefined): boolean =>
  (template ?? "{table}/{row}/{column}") === "{table}/{row}/{column}" && !columns.some((c) => c.includes("/"));

/** NULL and empty cells are not secrets; a repeated key would make two secrets with one name. */
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
