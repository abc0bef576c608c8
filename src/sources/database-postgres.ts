import pg from "pg";
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
import { describeSqlstate } from "./sqlstate.js";
import type { SourceBatch } from "./types.js";

export interface Endpoint {
  host: string;
  port: number;
  database: string;
  user: string;
}

interface ColumnInfo {
  name: string;
  /** Without modifier (`character varying`), so a cast never truncates. */
  type: string;
  binary: boolean;
  canSelect: boolean;
  canUpdate: boolean;
}

type Privilege = "SELECT" | "UPDATE";

const where = (e: Endpoint) => `${e.host}:${e.port}, database "${e.database}"`;

/** pg resolves the URL together with PG* variables, ~/.pgpass and sslmode; we only read the result. */
export async function connect(url: string): Promise<{ client: pg.Client; endpoint: Endpoint }> {
  const client = new pg.Client({ connectionString: url, application_name: "secretshift" });
  const endpoint: Endpoint = { host: client.host, port: client.port, database: client.database ?? "", user: client.user ?? "" };
  // A connection dropped later surfaces on the next query, not as an unhandled 'error' event.
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => {});
    throw connectError(e, endpoint, typeof client.password === "string" ? client.password : undefined);
  }
  return { client, endpoint };
}

function connectError(e: unknown, endpoint: Endpoint, password: string | undefined): CliError {
  const err = e as { code?: string; message?: string };
  let reason = (err.message ?? String(e)).split("\n")[0] ?? "";
  if (password) reason = reason.replaceAll(password, "***");
  const target = `PostgreSQL at ${where(endpoint)} as user "${endpoint.user}"`;
  if (err.code === "28P01" || err.code === "28000" || /SASL|password/i.test(reason)) {
    return unreachableError(
      "DB_AUTH_FAILED",
      `authentication to ${target} failed: ${reason}`,
      "check the user and password (URL, PGPASSWORD or ~/.pgpass) and pg_hba.conf",
    );
  }
  return unreachableError(
    "DB_UNREACHABLE",
    `cannot connect to ${target}: ${reason}`,
    "check host, port, database name and sslmode in --db (or PGHOST/PGPORT/PGDATABASE)",
  );
}

/**
 * A server message can quote a cell (a failing cast in `--where` does), so errors carry the
 * SQLSTATE and its name, never the message; only the driver's own network errors keep their text.
 */
function queryError(e: unknown, spec: TableSpec, endpoint: Endpoint, phase: "read" | Privilege, sql?: string): CliError {
  const err = e as { code?: string; message?: string; position?: string };
  const code = err.code ?? "";
  if (code === "") {
    return unreachableError("DB_UNREACHABLE", `lost the connection to PostgreSQL at ${where(endpoint)}: ${(err.message ?? "").split("\n")[0]}`);
  }
  const state = describeSqlstate(code);
  if (code === "42501") {
    const privilege: Privilege = phase === "read" ? "SELECT" : phase;
    return unreachableError(
      "DB_PERMISSION_DENIED",
      `user "${endpoint.user}" lacks the ${privilege} privilege needed on ${spec.table.text} (${state})`,
      `GRANT ${privilege} ON ${quoteQualified(spec.table)} TO ${quoteIdent(endpoint.user)};`,
    );
  }
  if (code.startsWith("08") || code.startsWith("57P"))
    return unreachableError("DB_UNREACHABLE", `lost the connection to PostgreSQL at ${where(endpoint)}: ${state}`);
  if (phase === "read" && spec.where !== undefined && (code === "25006" || /^(42|22|0A|2B)/.test(code))) {
    const writes = code === "25006" ? "tried to write, but it runs in a read-only transaction: " : "failed: ";
    return usageError(
      "DB_BAD_WHERE",
      `--where ${writes}${state}${whereAt(err.position, sql, spec.where)}`,
      "--where is an SQL expression over the table's columns, e.g. \"plan = 'pro'\"",
    );
  }
  return queryFailed(`${phase === "read" ? "reading" : "updating"} ${spec.table.text} failed: ${state}`);
}

function whereAt(position: string | undefined, sql: string | undefined, text: string): string {
  const start = sql?.indexOf(`(\n${text}\n)`) ?? -1;
  const at = Number(position) - 1 - (start + 2);
  return start >= 0 && at >= 0 && at < text.length ? ` at character ${at + 1} of --where` : "";
}

export async function openPostgresSource(url: string, spec: TableSpec): Promise<PostgresSource> {
  const { client, endpoint } = await connect(url);
  try {
    const found = await client.query<{ oid: number | null }>("SELECT to_regclass($1)::oid::int AS oid", [quoteQualified(spec.table)]);
    const oid = found.rows[0]?.oid ?? null;
    if (oid === null) {
      const tables = await client.query<{ name: string }>(
        `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
         WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1 LIMIT 50`,
      );
      throw missingTableError(
        spec.table.text,
        `database "${endpoint.database}"`,
        tables.rows.map((r) => r.name),
      );
    }
    const info = await client.query<ColumnInfo>(
      `SELECT a.attname AS name, format_type(a.atttypid, NULL) AS type,
              COALESCE(NULLIF(t.typbasetype, 0), a.atttypid) = 'bytea'::regtype AS binary,
              has_column_privilege($1::oid, a.attnum, 'SELECT') AS "canSelect",
              has_column_privilege($1::oid, a.attnum, 'UPDATE') AS "canUpdate"
       FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
       WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [oid],
    );
    const columns = new Map(info.rows.map((c) => [c.name, c]));
    for (const name of [spec.key, ...spec.columns]) {
      if (!columns.has(name)) throw missingColumnError(spec.table.text, name, [...columns.keys()]);
    }
    for (const name of spec.columns) {
      const column = columns.get(name);
      if (column?.binary) throw binaryColumnError(spec.table.text, name, column.type);
    }
    const unreadable = [spec.key, ...spec.columns].filter((c) => !columns.get(c)?.canSelect);
    if (unreadable.length > 0) throw privilegeError(spec, endpoint, "SELECT", unreadable);
    return new PostgresSource(url, spec, endpoint, columns);
  } finally {
    await client.end().catch(() => {});
  }
}

const privilegeError = (spec: TableSpec, endpoint: Endpoint, privilege: Privilege, columns: string[]): CliError =>
  unreachableError(
    "DB_PERMISSION_DENIED",
    `user "${endpoint.user}" lacks the ${privilege} privilege on ${spec.table.text} (columns: ${columns.join(", ")})`,
    `GRANT ${privilege} (${columns.map(quoteIdent).join(", ")}) ON ${quoteQualified(spec.table)} TO ${quoteIdent(endpoint.user)};`,
  );

/** The planner's row estimate (ANALYZE, autovacuum) times the columns; none with --where or a never-analysed table. */
async function estimateCells(client: pg.Client, spec: TableSpec): Promise<number | undefined> {
  if (spec.where) return undefined;
  const found = await client.query<{ rows: number }>("SELECT reltuples::float8 AS rows FROM pg_class WHERE oid = to_regclass($1)", [
    quoteQualified(spec.table),
  ]);
  const rows = found.rows[0]?.rows ?? -1;
  return rows > 0 ? Math.round(rows) * spec.columns.length : undefined;
}

export class PostgresSource implements DatabaseSource {
  readonly kind = "postgres";
  readonly label: string;
  readonly table: string;
  readonly columns: readonly string[];
  readonly keyColumn: string;

  constructor(
    private readonly url: string,
    private readonly spec: TableSpec,
    private readonly endpoint: Endpoint,
    private readonly info: Map<string, ColumnInfo>,
  ) {
    this.label = `postgres://${endpoint.host}:${endpoint.port}/${endpoint.database} ${spec.table.text}`;
    this.table = spec.table.text;
    this.columns = spec.columns;
    this.keyColumn = spec.key;
  }

  distinctNames(template: string | undefined): boolean {
    return distinctCellNames(this.columns, template);
  }

  async *read(): AsyncGenerator<SourceBatch> {
    const { spec, endpoint } = this;
    const { client } = await connect(this.url);
    const rowsPerFetch = Math.max(1, Math.floor(spec.batchSize / spec.columns.length));
    const batcher = new EntryBatcher(spec, this.label);
    try {
      await client.query("BEGIN TRANSACTION READ ONLY");
      let expected = await estimateCells(client, spec);
      // Extended protocol: exactly one statement, so --where cannot smuggle a COMMIT and a DELETE after it.
      const declare = `DECLARE secretshift_rows NO SCROLL CURSOR FOR ${selectSql(spec, (c) => [`${c}::text`])}`;
      await client.query({ text: declare, queryMode: "extended" } as pg.QueryConfig).catch((e: unknown) => {
        throw queryError(e, spec, endpoint, "read", declare);
      });
      for (;;) {
        const fetched = await client.query<string[]>({ text: `FETCH FORWARD ${rowsPerFetch} FROM secretshift_rows`, rowMode: "array" }).catch((e: unknown) => {
          throw queryError(e, spec, endpoint, "read");
        });
        for (const row of fetched.rows) batcher.addRow(row[0] ?? null, row.slice(1));
        for (const batch of batcher.drain(false)) {
          yield expected === undefined ? batch : { ...batch, expected };
          expected = undefined;
        }
        if (fetched.rows.length < rowsPerFetch) break;
      }
      yield* batcher.drain(true);
      await client.query("COMMIT");
    } finally {
      await client.end().catch(() => {});
    }
  }

  async close(): Promise<void> {}

  async assertCanScrub(): Promise<void> {
    const denied = this.spec.columns.filter((c) => !this.info.get(c)?.canUpdate);
    if (denied.length > 0) throw privilegeError(this.spec, this.endpoint, "UPDATE", denied);
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
    return dropColumnsSql(this.spec, "PostgreSQL");
  }

  /**
   * Each UPDATE joins an unnest() of (key, digest, value) and touches only rows whose cell still
   * hashes to the digest of `expected`: the server hashes, so the migrated value is never sent.
   */
  private async guardedUpdate(cells: AsyncIterable<GuardedUpdate>): Promise<{ applied: number; skipped: CellRef[] }> {
    const { spec, endpoint } = this;
    const { client } = await connect(this.url);
    const keyType = this.info.get(spec.key)?.type ?? "text";
    let applied = 0;
    const skipped: CellRef[] = [];
    const flush = async (chunk: GuardedUpdate[]) => {
      for (const column of new Set(chunk.map((c) => c.column))) {
        const group = chunk.filter((c) => c.column === column);
        const col = quoteIdent(column);
        const sql = `UPDATE ${quoteQualified(spec.table)} AS t SET ${col} = v.val::${this.info.get(column)?.type ?? "text"}
          FROM unnest($1::text[], $2::text[], $3::text[]) AS v(k, digest, val)
          WHERE t.${quoteIdent(spec.key)} = v.k::${keyType}
            AND sha256(convert_to(t.${col}::text, 'UTF8')) IS NOT DISTINCT FROM decode(v.digest, 'hex')
          RETURNING v.k`;
        const result = await client.query<{ k: string }>(sql, [group.map((c) => c.key), group.map((c) => digestOf(c.expected)), group.map((c) => c.value)]);
        const hit = new Set(result.rows.map((r) => r.k));
        for (const cell of group) {
          if (hit.has(cell.key)) applied++;
          else skipped.push({ key: cell.key, column: cell.column });
        }
      }
    };
    try {
      await client.query("BEGIN");
      let chunk: GuardedUpdate[] = [];
      for await (const cell of cells) {
        checkCellColumn(spec, cell.column);
        chunk.push(cell);
        if (chunk.length >= spec.batchSize) {
          await flush(chunk);
          chunk = [];
        }
      }
      await flush(chunk);
      await client.query("COMMIT");
      return { applied, skipped };
    } catch (e) {
      await client.query("ROLLBACK").catch(() => {});
      throw isCliError(e) ? e : queryError(e, spec, endpoint, "UPDATE");
    } finally {
      await client.end().catch(() => {});
    }
  }
}
