import { existsSync } from "node:fs";
import type Database from "better-sqlite3";
import { usageError } from "../core/errors.js";
import { loadSqlite } from "../sources/database.js";
import { missingTableError } from "../sources/database-driver.js";
import { parseQualifiedName, quoteIdent } from "../sources/sql-identifiers.js";
import { type Catalog, noKey, type Skipped, type TablePlan } from "./catalog.js";

const PLAIN = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/**
 * SQLite's type affinity rules, in their order: a declared type with INT is an integer; with CHAR,
 * CLOB or TEXT it is text; none at all may hold anything. JSON columns are declared JSON (numeric
 * affinity by the rules) but hold text.
 */
const isTextLike = (declared: string) => !/INT/i.test(declared) && (/CHAR|CLOB|TEXT|JSON/i.test(declared) || declared.trim() === "");

export async function openSqliteCatalog(path: string): Promise<Catalog> {
  if (!existsSync(path)) throw usageError("DB_FILE_NOT_FOUND", `SQLite database ${path} does not exist`, "check the path after sqlite: in --db");
  const { openDb } = await loadSqlite();
  return new SqliteCatalog(openDb(path, true), path);
}

class SqliteCatalog implements Catalog {
  constructor(
    private readonly db: Database.Database,
    private readonly path: string,
  ) {}

  async tables() {
    const names = this.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
      .pluck()
      .all() as string[];
    const skipped: Skipped[] = names.filter((n) => !PLAIN.test(n)).map((table) => ({ table, reason: "its name is not a plain SQL identifier" }));
    return { tables: names.filter((n) => PLAIN.test(n)), skipped };
  }

  async plan(table: string, columns: readonly string[] | undefined, key: string | undefined): Promise<TablePlan | Skipped> {
    const name = parseQualifiedName(table, "--table");
    const schema = name.schema ?? "main";
    const info = this.db.prepare("SELECT name, type, pk FROM pragma_table_info(?, ?)").all(name.name, schema) as { name: string; type: string; pk: number }[];
    if (info.length === 0) throw missingTableError(table, this.path, (await this.tables()).tables);
    const primary = info.filter((c) => c.pk > 0);
    const withoutRowid = Boolean(this.db.prepare("SELECT wr FROM pragma_table_list WHERE name = ? AND schema = ?").pluck().get(name.name, schema));
    const rowKey = key ?? (primary.length === 1 ? primary[0]?.name : withoutRowid ? undefined : "rowid");
    if (rowKey === undefined) return noKey(table);
    const chosen = columns ?? info.filter((c) => isTextLike(c.type) && c.name !== rowKey && PLAIN.test(c.name)).map((c) => c.name);
    if (chosen.length === 0) return { table, reason: "it has no text columns", expected: true };
    const rows = Number(
      this.db
        .prepare(`SELECT count(*) FROM ${quoteIdent(schema)}.${quoteIdent(name.name)}`)
        .pluck()
        .get(),
    );
    return { table, columns: chosen, key: rowKey, rows };
  }

  /** SQLite has no hash function to sample by key: the sample is random, and differs between runs. */
  sampleWhere(_key: string, fraction: number): string {
    return `abs(random() % 1000000) < ${Math.ceil(Math.min(1, fraction) * 1_000_000)}`;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
