import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { isCliError } from "../../src/core/errors.js";
import { createDatabaseSource, type DatabaseSource, type DatabaseSourceOptions, parseDbUrl } from "../../src/sources/database.js";
import type { SourceBatch, SourceEntry } from "../../src/sources/types.js";
import { cellValue, expectedCells, SECRET_COLUMNS, seedSqlite } from "../helpers/businesses.js";

const dir = mkdtempSync(join(tmpdir(), "secretshift-sqlite-"));
let fileCount = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh database file; `setup` gets a writable connection. */
function databaseFile(setup: (db: Database.Database) => void): string {
  const path = join(dir, `db${++fileCount}.sqlite`);
  const db = new Database(path);
  setup(db);
  db.close();
  return path;
}

function businessesFile(): string {
  return databaseFile((db) => seedSqlite(db));
}

/** Every cell with its storage class, so a restore that changes a type is caught too. */
function dump(path: string, table = "businesses"): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    const columns = (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]).map((c) => `"${c}", typeof("${c}")`);
    return db
      .prepare(`SELECT ${columns.join(", ")} FROM ${table} ORDER BY rowid`)
      .raw(true)
      .all();
  } finally {
    db.close();
  }
}

function execute(path: string, sql: string, ...params: unknown[]): void {
  const db = new Database(path);
  db.prepare(sql).run(...params);
  db.close();
}

async function readAll(source: DatabaseSource): Promise<{ entries: SourceEntry[]; batches: SourceBatch[] }> {
  const batches: SourceBatch[] = [];
  for await (const batch of source.read()) batches.push(batch);
  return { entries: batches.flatMap((b) => b.entries), batches };
}

const asCells = (entries: SourceEntry[]) => new Map(entries.map((e) => [`${e.origin.row}/${e.origin.column}`, e.value]));

const open = (path: string, options: Partial<DatabaseSourceOptions> = {}) =>
  createDatabaseSource({ url: `sqlite:${path}`, table: "businesses", columns: SECRET_COLUMNS, ...options });

async function cliError(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isCliError(error)) throw new Error(`expected a CliError, got ${String(error)}`);
  return error;
}

describe("parseDbUrl", () => {
  it("recognises postgres and sqlite URLs and never echoes the rest of an unknown one", () => {
    expect(parseDbUrl("postgres://u:p@h:5432/db")).toEqual({ kind: "postgres", url: "postgres://u:p@h:5432/db" });
    expect(parseDbUrl("postgresql://h/db?sslmode=require").kind).toBe("postgres");
    expect(parseDbUrl("sqlite:data/app.db")).toEqual({ kind: "sqlite", path: "data/app.db" });
    expect(parseDbUrl("sqlite:/abs/app.db")).toEqual({ kind: "sqlite", path: "/abs/app.db" });
    expect(parseDbUrl("sqlite:///abs/app.db")).toEqual({ kind: "sqlite", path: "/abs/app.db" });
    expect(() => parseDbUrl("sqlite:")).toThrow(/file path/);
    let message = "";
    try {
      parseDbUrl("mysql://root:hunter2@db/app");
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('"mysql"');
    expect(message).not.toContain("hunter2");
  });
});

describe("SQLite column source", () => {
  it("reads the businesses scenario byte-identically, skipping NULL and empty cells", async () => {
    const path = businessesFile();
    const source = await open(path);
    expect(source.label).toBe(`sqlite:${path} businesses`);
    const { entries } = await readAll(source);
    expect(asCells(entries)).toEqual(expectedCells());
    expect(entries[0]?.origin).toEqual({ source: "businesses.gemini_api_key[key=1]", table: "businesses", row: "1", column: "gemini_api_key" });
  });

  it("streams small batches that add up to the same entries, and re-queries on a second read()", async () => {
    const path = businessesFile();
    const whole = await readAll(await open(path, { batchSize: 100_000 }));
    const source = await open(path, { batchSize: 5 });
    const streamed = await readAll(source);
    expect(streamed.entries).toEqual(whole.entries);
    expect(Math.max(...streamed.batches.map((b) => b.entries.length))).toBeLessThanOrEqual(5);

    execute(path, "UPDATE businesses SET gemini_api_key = 'changed' WHERE id = 3");
    expect(asCells((await readAll(source)).entries).get("3/gemini_api_key")).toBe("changed");
  });

  it("reads a schema-qualified table and a rowid key", async () => {
    const path = databaseFile((db) => db.exec("CREATE TABLE tokens (token TEXT); INSERT INTO tokens VALUES ('a'), (NULL), ('c')"));
    const { entries } = await readAll(await open(path, { table: "main.tokens", columns: ["token"], key: "rowid" }));
    expect(entries.map((e) => e.origin.source)).toEqual(["main.tokens.token[key=1]", "main.tokens.token[key=3]"]);
    expect(await cliError(open(path, { table: "other.tokens", columns: ["token"], key: "rowid" }))).toMatchObject({ code: "DB_TABLE_NOT_FOUND" });
  });

  it("refuses injection attempts in table, columns and key without touching the table", async () => {
    const path = businessesFile();
    const before = dump(path);
    const attempts: Partial<DatabaseSourceOptions>[] = [
      { table: "businesses; DROP TABLE businesses" },
      { table: 'businesses" --' },
      { table: "sqlite_master m, businesses" },
      { columns: ["gemini_api_key", "(SELECT sql FROM sqlite_master)"] },
      { columns: ["gemini_api_key`"] },
      { key: "id; DELETE FROM businesses" },
      { key: "[id]" },
    ];
    for (const attempt of attempts) {
      expect(await cliError(open(path, attempt)), JSON.stringify(attempt)).toMatchObject({ code: "BAD_IDENTIFIER", exitCode: 2 });
    }
    expect(dump(path)).toEqual(before);
  });

  it("runs --where on a read-only connection: a DELETE cannot get in", async () => {
    const path = businessesFile();
    const before = dump(path);
    for (const where of ["1=1; DELETE FROM businesses", "1=1); DELETE FROM businesses; SELECT (1", "1=1) --"]) {
      expect(await cliError(readAll(await open(path, { where }))), where).toMatchObject({ code: "DB_BAD_WHERE", exitCode: 2 });
    }
    expect(dump(path)).toEqual(before);
    const filtered = await readAll(await open(path, { where: "id <= 10 -- first ten" }));
    expect(new Set(filtered.entries.map((e) => Number(e.origin.row)))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
  });

  it("names a missing file, table or column and lists what exists", async () => {
    expect(await cliError(open(join(dir, "missing.sqlite")))).toMatchObject({ code: "DB_FILE_NOT_FOUND", exitCode: 2 });
    const path = businessesFile();
    const table = await cliError(open(path, { table: "busineses" }));
    expect(table).toMatchObject({ code: "DB_TABLE_NOT_FOUND", exitCode: 2 });
    expect(table.message).toContain("tables: businesses");
    const column = await cliError(open(path, { columns: ["grok_api_key"] }));
    expect(column).toMatchObject({ code: "DB_COLUMN_NOT_FOUND", exitCode: 2 });
    expect(column.message).toContain("grok_api_key");
    expect(column.message).toContain("id, name, gemini_api_key");
  });

  it("refuses BLOB columns, skips binary cells with a warning, reads numbers as text", async () => {
    const path = databaseFile((db) => {
      db.exec("CREATE TABLE businesses (id INTEGER PRIMARY KEY, pin INTEGER, ratio REAL, anything, logo BLOB)");
      db.prepare("INSERT INTO businesses VALUES (1, 1234, 0.5, ?, ?)").run(Buffer.from([0xde, 0xad]), Buffer.from([1]));
      db.prepare("INSERT INTO businesses VALUES (2, NULL, NULL, 'text', NULL)").run();
    });
    expect(await cliError(open(path, { columns: ["pin", "logo"] }))).toMatchObject({ code: "DB_BINARY_COLUMN", exitCode: 2 });
    const { entries, batches } = await readAll(await open(path, { columns: ["pin", "ratio", "anything"] }));
    expect(entries.map((e) => [e.origin.row, e.key, e.value])).toEqual([
      ["1", "pin", "1234"],
      ["1", "ratio", "0.5"],
      ["2", "anything", "text"],
    ]);
    expect(batches.flatMap((b) => b.warnings).map((w) => w.message)).toEqual(["anything holds a binary value; skipped"]);
  });

  it("scrubs in one transaction, skipping a cell changed since it was read, and restores byte-identically", async () => {
    const path = businessesFile();
    const before = dump(path);
    const source = await open(path);
    await source.assertCanScrub();
    const { entries } = await readAll(source);
    execute(path, "UPDATE businesses SET claude_api_key = 'rotated meanwhile' WHERE id = 8");
    const reference = (e: SourceEntry) => `secret:local:businesses/${e.origin.row}/${e.origin.column}`;

    const result = await source.scrub(entries.map((e) => ({ key: e.origin.row ?? "", column: e.key, expected: e.value, replacement: reference(e) })));
    expect(result).toEqual({ scrubbed: entries.length - 1, skipped: [{ key: "8", column: "claude_api_key" }] });
    const after = asCells((await readAll(source)).entries);
    expect(after.get("1/claude_api_key")).toBe("secret:local:businesses/1/claude_api_key");
    expect(after.get("8/claude_api_key")).toBe("rotated meanwhile");

    execute(path, "UPDATE businesses SET claude_api_key = ? WHERE id = 8", cellValue(8, 1));
    const restored = await source.restoreCells(entries.map((e) => ({ key: e.origin.row ?? "", column: e.key, expectedCurrent: reference(e), value: e.value })));
    expect(restored).toEqual({ restored: entries.length - 1, skipped: [{ key: "8", column: "claude_api_key" }] });
    expect(dump(path)).toEqual(before);
  });

  it("restores numbers with their storage class", async () => {
    const path = databaseFile((db) =>
      db.exec("CREATE TABLE businesses (id INTEGER PRIMARY KEY, pin INTEGER, ratio REAL); INSERT INTO businesses VALUES (1, 1234, 0.25)"),
    );
    const before = dump(path);
    const source = await open(path, { columns: ["pin", "ratio"] });
    const { entries } = await readAll(source);
    await source.scrub(entries.map((e) => ({ key: e.origin.row ?? "", column: e.key, expected: e.value, replacement: null })));
    expect(dump(path)).not.toEqual(before);
    await source.restoreCells(entries.map((e) => ({ key: e.origin.row ?? "", column: e.key, expectedCurrent: null, value: e.value })));
    expect(dump(path)).toEqual(before);
  });

  it("rolls back the whole scrub when one cell cannot be written", async () => {
    const path = databaseFile((db) =>
      db.exec("CREATE TABLE businesses (id INTEGER PRIMARY KEY, a TEXT, b TEXT CHECK (length(b) < 12)); INSERT INTO businesses VALUES (1, 'x', 'y')"),
    );
    const before = dump(path);
    const source = await open(path, { columns: ["a", "b"] });
    const error = await cliError(
      source.scrub([
        { key: "1", column: "a", expected: "x", replacement: "secret:local:a" },
        { key: "1", column: "b", expected: "y", replacement: "secret:local:far-too-long" },
      ]),
    );
    expect(error.code).toBe("DB_QUERY_FAILED");
    expect(dump(path)).toEqual(before);
  });

  it("refuses a key that is not unique", async () => {
    const path = databaseFile((db) => db.exec("CREATE TABLE businesses (tenant INTEGER, a TEXT); INSERT INTO businesses VALUES (1, 'x'), (1, 'y')"));
    expect(await cliError(readAll(await open(path, { key: "tenant", columns: ["a"] })))).toMatchObject({ code: "DB_KEY_NOT_UNIQUE" });
  });

  it("emits (never runs) the DROP COLUMN migration", async () => {
    const path = businessesFile();
    const sql = (await open(path, { columns: ["gemini_api_key", "claude_api_key"] })).emitDropSql();
    expect(sql).toContain('ALTER TABLE "businesses" DROP COLUMN "gemini_api_key";');
    expect(sql).toContain('ALTER TABLE "businesses" DROP COLUMN "claude_api_key";');
    expect(dump(path)[0]).toHaveLength(2 * (2 + SECRET_COLUMNS.length));
  });

  it("streams 50,000 rows in batches of at most 1,000 entries", async () => {
    const path = databaseFile((db) =>
      db.exec(`CREATE TABLE businesses AS
        WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 50000)
        SELECT n AS id, 'sk-' || hex(randomblob(16)) AS api_key, 'rt-' || n AS refresh_token FROM g`),
    );
    const source = await open(path, { columns: ["api_key", "refresh_token"], batchSize: 1000 });
    let total = 0;
    let largest = 0;
    let batches = 0;
    for await (const batch of source.read()) {
      batches++;
      total += batch.entries.length;
      largest = Math.max(largest, batch.entries.length);
    }
    expect(total).toBe(100_000);
    expect(largest).toBeLessThanOrEqual(1000);
    expect(batches).toBeGreaterThanOrEqual(100);
  }, 60_000);
});
