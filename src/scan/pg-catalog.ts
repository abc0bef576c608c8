import type pg from "pg";
import { isCliError } from "../core/errors.js";
import { missingTableError, queryFailed } from "../sources/database-driver.js";
import { connect, type Endpoint } from "../sources/database-postgres.js";
import { parseQualifiedName, quoteIdent, quoteQualified } from "../sources/sql-identifiers.js";
import { describeSqlstate } from "../sources/sqlstate.js";
import { type Catalog, noKey, type Skipped, type TablePlan } from "./catalog.js";

const PLAIN = /^[A-Za-z_][A-Za-z0-9_$]*$/;

const TABLES = `SELECT n.nspname AS schema, c.relname AS name, has_table_privilege(c.oid, 'SELECT') AS readable
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
    AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_'
  ORDER BY 1, 2`;

/** Text-like: the string category (text, varchar, char, citext, name) and JSON, looking through domains. */
const COLUMNS = `SELECT a.attname AS name, (b.typcategory = 'S' OR b.typname IN ('json', 'jsonb')) AS text,
    has_column_privilege($1::oid, a.attnum, 'SELECT') AS readable
  FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
  JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
  WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`;

const PRIMARY_KEY = `SELECT a.attname AS name FROM pg_index i
  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
  WHERE i.indrelid = $1::oid AND i.indisprimary`;

/** Catalog reads never touch a cell, so their errors can be shown as the server says them (as SQLSTATE). */
async function query<R extends pg.QueryResultRow>(client: pg.Client, sql: string, params: unknown[] = []): Promise<R[]> {
  try {
    return (await client.query<R>(sql, params)).rows;
  } catch (e) {
    throw isCliError(e) ? e : queryFailed(`reading the catalog failed: ${describeSqlstate((e as { code?: string }).code ?? "")}`);
  }
}

export async function openPostgresCatalog(url: string): Promise<Catalog> {
  const { client, endpoint } = await connect(url);
  return new PostgresCatalog(client, endpoint);
}

class PostgresCatalog implements Catalog {
  constructor(
    private readonly client: pg.Client,
    private readonly endpoint: Endpoint,
  ) {}

  async tables() {
    const rows = await query<{ schema: string; name: string; readable: boolean }>(this.client, TABLES);
    const tables: string[] = [];
    const skipped: Skipped[] = [];
    for (const r of rows) {
      const table = r.schema === "public" ? r.name : `${r.schema}.${r.name}`;
      if (!PLAIN.test(r.schema) || !PLAIN.test(r.name)) skipped.push({ table, reason: "its name is not a plain SQL identifier" });
      else if (!r.readable) skipped.push({ table, reason: `user "${this.endpoint.user}" lacks the SELECT privilege` });
      else tables.push(table);
    }
    return { tables, skipped };
  }

  async plan(table: string, columns: readonly string[] | undefined, key: string | undefined): Promise<TablePlan | Skipped> {
    const name = parseQualifiedName(table, "--table");
    const [found] = await query<{ oid: number | null }>(this.client, "SELECT to_regclass($1)::oid::int AS oid", [quoteQualified(name)]);
    const oid = found?.oid ?? null;
    if (oid === null) throw missingTableError(table, `database "${this.endpoint.database}"`, (await this.tables()).tables.slice(0, 50));
    const primary = await query<{ name: string }>(this.client, PRIMARY_KEY, [oid]);
    const rowKey = key ?? (primary.length === 1 ? primary[0]?.name : undefined);
    if (rowKey === undefined) return noKey(table);
    const info = await query<{ name: string; text: boolean; readable: boolean }>(this.client, COLUMNS, [oid]);
    const chosen = columns ?? info.filter((c) => c.text && c.readable && c.name !== rowKey && PLAIN.test(c.name)).map((c) => c.name);
    if (chosen.length === 0) return { table, reason: "it has no text columns", expected: true };
    return { table, columns: chosen, key: rowKey, rows: await this.rows(oid, quoteQualified(name)) };
  }

  /** The planner's estimate; a table never analysed has none (-1), so it is counted. */
  private async rows(oid: number, quoted: string): Promise<number> {
    const [estimate] = await query<{ n: string }>(this.client, "SELECT reltuples::bigint AS n FROM pg_class WHERE oid = $1", [oid]);
    const n = Number(estimate?.n ?? -1);
    if (n >= 0) return n;
    const [counted] = await query<{ n: string }>(this.client, `SELECT count(*) AS n FROM ${quoted}`);
    return Number(counted?.n ?? 0);
  }

  /** A hash of the row key, so the same rows are sampled on every run (a baseline stays valid). */
  sampleWhere(key: string, fraction: number): string {
    return `(hashtext((${quoteIdent(key)})::text) & 2147483647) % 1000000 < ${Math.ceil(Math.min(1, fraction) * 1_000_000)}`;
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {});
  }
}
