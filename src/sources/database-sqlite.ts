import { accessSync, constants, existsSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { type CliError, isCliError, unreachableError, usageError } from "../core/errors.js";
import {
  binaryColumnError,
  type CellRef,
  type Cells,
  checkCellColumn,
  type DatabaseSource,
  digestOf,
  distinctCellNames,
  dropColumnsSql,
  EntryBatcher,
  type GuardedUpdate,
  mapCells,
  missingColumnError,
  missingTableError,
  queryFailed,
  type RestoreCell,
  type ScrubCell,
  selectSql,
  type TableSpec,
  toGuarded,
} from "./database-driver.js";
import { quoteIdent, quoteQualified } from "./sql-identifiers.js";
import type { SourceBatch } from "./types.js";

const BINARY_TYPE = /BLOB|BINARY|BYTEA/i;
const ROWID = new Set(["rowid", "oid", "_rowid_"]);

export function openDb(path: string, readonly: boolean): Database.Database {
  try {
    return new Database(path, { readonly, fileMustExist: true });
  } catch (e) {
    throw unreachableError("DB_UNREACHABLE", `cannot open SQLite database ${path}: ${(e as Error).message}`);
  }
}

/** Only `prepare` errors keep SQLite's message: once rows are read it can quote a cell. */
function sqliteError(e: unknown, spec: TableSpec, path: string, phase: "prepare" | "read" | "UPDATE"): CliError {
  if (isCliError(e)) return e;
  const err = e as { code?: string; message?: string };
  const code = err.code ?? "SQLITE_ERROR";
  const said = phase === "prepare" ? (err.message ?? code) : `${code} (message withheld: it may quote a cell)`;
  if (code.startsWith("SQLITE_READONLY") || code === "SQLITE_CANTOPEN" || code === "SQLITE_PERM") {
    const privilege = phase === "UPDATE" ? "UPDATE" : "SELECT";
    return unreachableError(
      "DB_PERMISSION_DENIED",
      `cannot ${privilege} ${spec.table.text} in ${path}: ${code}`,
      "the database file (and its directory) must be writable to scrub or restore",
    );
  }
  if (code.startsWith("SQLITE_BUSY")) return unreachableError("DB_BUSY", `SQLite database ${path} is locked by another process (${code})`);
  if (phase !== "UPDATE" && spec.where !== undefined) {
    return usageError("DB_BAD_WHERE", `--where failed: ${said}`, "--where is one SQL expression over the table's columns, e.g. \"plan = 'pro'\"");
  }
  return queryFailed(`${phase === "UPDATE" ? "updating" : "reading"} ${spec.table.text} in ${path} failed: ${said}`);
}

export function openSqliteSource(path: string, spec: TableSpec): SqliteSource {
  if (!existsSync(path)) throw usageError("DB_FILE_NOT_FOUND", `SQLite database ${path} does not exist`, "check the path after sqlite: in --db");
  const db = openDb(path, true);
  try {
    const schema = spec.table.schema ?? "main";
    let info: { name: string; type: string }[] = [];
    try {
      info = db.prepare("SELECT name, type FROM pragma_table_info(?, ?)").all(spec.table.name, schema) as typeof info;
    } catch {
      // unknown schema: reported below as a missing table
    }
    if (info.length === 0) {
      let tables: string[] = [];
      try {
        tables = db
          .prepare(
            `SELECT name FROM ${quoteIdent(schema)}.sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`,
          )
          .pluck()
          .all() as string[];
      } catch {
        // unknown schema: no list to offer
      }
      throw missingTableError(spec.table.text, path, tables);
    }
    const declared = new Map(info.map((c) => [c.name.toLowerCase(), c]));
    for (const name of [spec.key, ...spec.columns]) {
      if (declared.has(name.toLowerCase()) || (name === spec.key && ROWID.has(name.toLowerCase()))) continue;
      throw missingColumnError(
        spec.table.text,
        name,
        info.map((c) => c.name),
      );
    }
    for (const name of spec.columns) {
      const type = declared.get(name.toLowerCase())?.type ?? "";
      if (BINARY_TYPE.test(type)) throw binaryColumnError(spec.table.text, name, type);
    }
    return new SqliteSource(path, spec);
  } finally {
    db.close();
  }
}

export class SqliteSource implements DatabaseSource {
  readonly kind = "sqlite";
  readonly label: string;
  readonly table: string;
  readonly columns: readonly string[];
  readonly keyColumn: string;

  constructor(
    private readonly path: string,
    private readonly spec: TableSpec,
  ) {
    this.label = `sqlite:${path} ${spec.table.text}`;
    this.table = spec.table.text;
    this.columns = spec.columns;
    this.keyColumn = spec.key;
  }

  /** prepare() refuses a --where that smuggles in a second statement. */
  distinctNames(template: string | undefined): boolean {
    return distinctCellNames(this.columns, template);
  }

  async *read(): AsyncGenerator<SourceBatch> {
    const { spec, path } = this;
    const db = openDb(path, true);
    const batcher = new EntryBatcher(spec, this.label);
    const rowsPerBatch = Math.max(1, Math.floor(spec.batchSize / spec.columns.length));
    try {
      let rows: Iterable<unknown[]>;
      try {
        // typeof() first so a BLOB stored in a text column is skipped with a warning, not mangled.
        const sql = selectSql(spec, (c) => (c === quoteIdent(spec.key) ? [`CAST(${c} AS TEXT)`] : [`typeof(${c})`, `CAST(${c} AS TEXT)`]));
        rows = db.prepare(sql).raw(true).iterate() as Iterable<unknown[]>;
      } catch (e) {
        throw sqliteError(e, spec, path, "prepare");
      }
      let inBatch = 0;
      try {
        for (const row of rows) {
          const key = row[0] as string | null;
          const values: (string | null)[] = [];
          spec.columns.forEach((column, i) => {
            const isBlob = row[1 + 2 * i] === "blob";
            if (isBlob && key !== null) batcher.warn(`${column} holds a binary value; skipped`, key);
            values.push(isBlob ? null : (row[2 + 2 * i] as string | null));
          });
          batcher.addRow(key, values);
          if (++inBatch >= rowsPerBatch) {
            inBatch = 0;
            yield* batcher.drain(false);
          }
        }
      } catch (e) {
        throw sqliteError(e, spec, path, "read");
      }
      yield* batcher.drain(true);
    } finally {
      db.close();
    }
  }

  async close(): Promise<void> {}

  async assertCanScrub(): Promise<void> {
    try {
      accessSync(this.path, constants.W_OK);
      accessSync(dirname(this.path), constants.W_OK); // the rollback journal is created beside the file
    } catch {
      throw unreachableError(
        "DB_PERMISSION_DENIED",
        `cannot UPDATE ${this.table}: ${this.path} (or its directory) is not writable`,
        "scrub and restore write to the database file",
      );
    }
  }

  async scrub(cells: Cells<ScrubCell>) {
    const { applied, skipped } = await this.guardedUpdate(mapCells(cells, toGuarded.scrub));
    return { scrubbed: applied, skipped };
  }

  async restoreCells(cells: Cells<RestoreCell>) {
    const { applied, skipped } = await this.guardedUpdate(mapCells(cells, toGuarded.restore));
    return { restored: applied, skipped };
  }

  emitDropSql(): string {
    return dropColumnsSql(this.spec, "SQLite 3.35+");
  }

  /** BEGIN IMMEDIATE: all or nothing. The digest function is ours, so the expected value is never bound into a statement. */
  private async guardedUpdate(cells: AsyncIterable<GuardedUpdate>): Promise<{ applied: number; skipped: CellRef[] }> {
    const { spec, path } = this;
    const db = openDb(path, false);
    db.function("secretshift_sha256", { deterministic: true }, (v: unknown) => digestOf(v === null ? null : String(v)));
    const statements = new Map<string, Database.Statement>();
    const statementFor = (column: string) => {
      let statement = statements.get(column);
      if (!statement) {
        const col = quoteIdent(column);
        statement = db.prepare(
          `UPDATE ${quoteQualified(spec.table)} SET ${col} = ? WHERE ${quoteIdent(spec.key)} = ? AND secretshift_sha256(CAST(${col} AS TEXT)) IS ?`,
        );
        statements.set(column, statement);
      }
      return statement;
    };
    let applied = 0;
    const skipped: CellRef[] = [];
    try {
      db.exec("BEGIN IMMEDIATE");
      for await (const cell of cells) {
        checkCellColumn(spec, cell.column);
        const { changes } = statementFor(cell.column).run(cell.value, cell.key, digestOf(cell.expected));
        if (changes > 0) applied++;
        else skipped.push({ key: cell.key, column: cell.column });
      }
      db.exec("COMMIT");
      return { applied, skipped };
    } catch (e) {
      if (db.inTransaction) db.exec("ROLLBACK");
      throw sqliteError(e, spec, path, "UPDATE");
    } finally {
      db.close();
    }
  }
}
