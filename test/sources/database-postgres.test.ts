import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isCliError } from "../../src/core/errors.js";
import { createDatabaseSource, type DatabaseSource, type DatabaseSourceOptions } from "../../src/sources/database.js";
import type { SourceEntry } from "../../src/sources/types.js";
import { cellValue, expectedCells, ROWS, SECRET_COLUMNS, seedPostgres } from "../helpers/businesses.js";
import { startPostgres, type TestPostgres } from "../helpers/postgres.js";

let server: TestPostgres;
let dbCount = 0;

async function seededDatabase(table = "businesses"): Promise<{ url: string; db: string }> {
  const db = `t${++dbCount}`;
  const url = await server.createDatabase(db);
  if (table.includes(".")) await server.query(`CREATE SCHEMA ${table.split(".")[0]}`, [], db);
  await seedPostgres((sql, params) => server.query(sql, params, db), table);
  return { url, db };
}

async function readAll(source: DatabaseSource): Promise<{ entries: SourceEntry[]; batchSizes: number[] }> {
  const entries: SourceEntry[] = [];
  const batchSizes: number[] = [];
  for await (const batch of source.read()) {
    batchSizes.push(batch.entries.length);
    entries.push(...batch.entries);
  }
  return { entries, batchSizes };
}

const asCells = (entries: SourceEntry[]) => new Map(entries.map((e) => [`${e.origin.row}/${e.origin.column}`, e.value]));

async function open(url: string, options: Partial<DatabaseSourceOptions> = {}): Promise<DatabaseSource> {
  return createDatabaseSource({ url, table: "businesses", columns: SECRET_COLUMNS, ...options });
}

/** The CliError a promise rejects with (fails the test if it resolves or throws something else). */
async function cliError(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isCliError(error)) throw new Error(`expected a CliError, got ${String(error)}`);
  return error;
}

const dump = async (db: string, table = "businesses") =>
  (await server.query<{ row: string }>(`SELECT row_to_json(dumped_row)::text AS row FROM ${table} dumped_row ORDER BY id`, [], db)).map((r) => r.row);

beforeAll(async () => {
  server = await startPostgres();
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describe("PostgreSQL column source", () => {
  it("reads the businesses scenario byte-identically, skipping NULL and empty cells", async () => {
    const { url } = await seededDatabase();
    const source = await open(url);
    expect(source.label).toBe(`postgres://127.0.0.1:${server.port}/t${dbCount} businesses`);
    expect(source.label).not.toContain(server.password);
    const { entries } = await readAll(source);
    expect(asCells(entries)).toEqual(expectedCells());
    const first = entries[0];
    expect(first).toEqual({
      key: first?.origin.column,
      value: first?.value,
      origin: {
        source: `businesses.${first?.origin.column}[key=${first?.origin.row}]`,
        table: "businesses",
        row: first?.origin.row,
        column: first?.origin.column,
      },
    });
    await source.close();
  });

  it("streams small batches that add up to the same entries, and re-queries on a second read()", async () => {
    const { url, db } = await seededDatabase();
    const whole = await readAll(await open(url, { batchSize: 100_000 }));
    const source = await open(url, { batchSize: 7 });
    const streamed = await readAll(source);
    expect(streamed.entries).toEqual(whole.entries);
    expect(Math.max(...streamed.batchSizes)).toBeLessThanOrEqual(7);
    expect(streamed.batchSizes.length).toBeGreaterThan(100);

    await server.query("UPDATE businesses SET gemini_api_key = 'changed' WHERE id = 3", [], db);
    const again = asCells((await readAll(source)).entries);
    expect(again.get("3/gemini_api_key")).toBe("changed");
  });

  it("reads a schema-qualified table", async () => {
    const { url } = await seededDatabase("app.businesses");
    const source = await open(url, { table: "app.businesses", columns: ["claude_api_key"] });
    const { entries } = await readAll(source);
    expect(entries.length).toBeGreaterThan(100);
    expect(entries[0]?.origin.source).toMatch(/^app\.businesses\.claude_api_key\[key=\d+\]$/);
    expect(await cliError(open(url))).toMatchObject({ code: "DB_TABLE_NOT_FOUND", exitCode: 2 });
  });

  it("refuses injection attempts in table, columns and key without touching the table", async () => {
    const { url, db } = await seededDatabase();
    const before = await dump(db);
    const attempts: Partial<DatabaseSourceOptions>[] = [
      { table: "businesses; DROP TABLE businesses" },
      { table: 'businesses" --' },
      { table: "a.b.businesses" },
      { table: "pg_catalog.pg_user u, businesses" },
      { columns: ["gemini_api_key", "(SELECT passwd FROM pg_shadow)"] },
      { columns: ['gemini_api_key"::text, version()::text --'] },
      { key: "id; DELETE FROM businesses" },
      { key: "1" },
    ];
    for (const attempt of attempts) {
      expect(await cliError(open(url, attempt)), JSON.stringify(attempt)).toMatchObject({ code: "BAD_IDENTIFIER", exitCode: 2 });
    }
    expect(await dump(db)).toEqual(before);
  });

  it("runs --where read-only: statements and writable functions cannot write", async () => {
    const { url, db } = await seededDatabase();
    await server.query("CREATE FUNCTION wipe() RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN DELETE FROM businesses; RETURN true; END $$", [], db);
    const before = await dump(db);
    const wheres = [
      "1=1; DELETE FROM businesses",
      "1=1); COMMIT; DELETE FROM businesses; SELECT (1",
      "wipe()",
      "id > 0 AND wipe()",
      "(SELECT count(*) FROM (SELECT wipe()) w) > 0",
      "1=1) -- ",
    ];
    for (const where of wheres) {
      const source = await open(url, { where });
      const error = await cliError(readAll(source));
      expect(error, where).toMatchObject({ code: "DB_BAD_WHERE", exitCode: 2 });
    }
    const writing = await cliError(readAll(await open(url, { where: "wipe()" })));
    expect(writing.message).toMatch(/read-only/);
    expect(await dump(db)).toEqual(before);

    const filtered = await readAll(await open(url, { where: "id <= 10 -- only the first ten" }));
    expect(new Set(filtered.entries.map((e) => Number(e.origin.row)))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
  });

  it("never echoes a cell value when --where fails on data", async () => {
    const { url } = await seededDatabase();
    const error = await cliError(readAll(await open(url, { where: "gemini_api_key::integer > 0" })));
    expect(error.code).toBe("DB_BAD_WHERE");
    expect(error.message).toContain("22P02");
    for (const value of expectedCells().values()) expect(error.message).not.toContain(value);
  });

  it("names a missing table or column and lists what exists", async () => {
    const { url } = await seededDatabase();
    const table = await cliError(open(url, { table: "busineses" }));
    expect(table).toMatchObject({ code: "DB_TABLE_NOT_FOUND", exitCode: 2 });
    expect(table.message).toContain("busineses");
    expect(table.message).toContain("public.businesses");

    const column = await cliError(open(url, { columns: ["gemini_api_key", "grok_api_key"] }));
    expect(column).toMatchObject({ code: "DB_COLUMN_NOT_FOUND", exitCode: 2 });
    expect(column.message).toContain("grok_api_key");
    expect(column.message).toContain("id, name, gemini_api_key, claude_api_key");

    expect((await cliError(open(url, { key: "uuid" }))).message).toContain("column uuid does not exist");
  });

  it("refuses bytea columns and reads other types as text", async () => {
    const db = `t${++dbCount}`;
    const url = await server.createDatabase(db);
    await server.query(
      `CREATE TABLE businesses (id uuid PRIMARY KEY, pin integer, settings jsonb, label varchar(20), logo bytea);
       INSERT INTO businesses VALUES
         ('00000000-0000-0000-0000-000000000001', 1234, '{"b": 1, "a": "x"}', 'tag', '\\xdeadbeef'),
         ('00000000-0000-0000-0000-000000000002', NULL, NULL, '', NULL)`,
      [],
      db,
    );
    const binary = await cliError(open(url, { columns: ["pin", "logo"] }));
    expect(binary).toMatchObject({ code: "DB_BINARY_COLUMN", exitCode: 2 });
    expect(binary.message).toContain("logo");

    const { entries } = await readAll(await open(url, { columns: ["pin", "settings", "label"] }));
    expect(entries.map((e) => [e.origin.row, e.key, e.value])).toEqual([
      ["00000000-0000-0000-0000-000000000001", "pin", "1234"],
      ["00000000-0000-0000-0000-000000000001", "settings", '{"a": "x", "b": 1}'],
      ["00000000-0000-0000-0000-000000000001", "label", "tag"],
    ]);
  });

  it("scrubs in one transaction, skipping a cell changed since it was read, and restores byte-identically", async () => {
    const { url, db } = await seededDatabase();
    const before = await dump(db);
    const source = await open(url);
    await source.assertCanScrub();
    const { entries } = await readAll(source);
    // Someone rotates one key between migrate and scrub.
    await server.query("UPDATE businesses SET claude_api_key = 'rotated meanwhile' WHERE id = 8", [], db);
    const reference = (e: SourceEntry) => `secret:local:businesses/${e.origin.row}/${e.origin.column}`;

    const result = await source.scrub(entries.map((e) => ({ key: e.origin.row ?? "", column: e.key, expected: e.value, replacement: reference(e) })));
    expect(result.skipped).toEqual([{ key: "8", column: "claude_api_key" }]);
    expect(result.scrubbed).toBe(entries.length - result.skipped.length);
    const after = asCells((await readAll(source)).entries);
    expect(after.get("1/gemini_api_key") ?? "").toMatch(/^secret:local:businesses\/1\/gemini_api_key$/);
    expect(after.get("8/claude_api_key")).toBe("rotated meanwhile");

    await server.query("UPDATE businesses SET claude_api_key = $1 WHERE id = 8", [cellValue(8, 1)], db);
    const restored = await source.restoreCells(entries.map((e) => ({ key: e.origin.row ?? "", column: e.key, expectedCurrent: reference(e), value: e.value })));
    expect(restored).toEqual({ restored: entries.length - result.skipped.length, skipped: result.skipped });
    expect(await dump(db)).toEqual(before);
  });

  it("scrubs to NULL, restores only cells still holding what scrub wrote", async () => {
    const { url, db } = await seededDatabase();
    const source = await open(url, { columns: ["gemini_api_key"] });
    const { entries } = await readAll(source);
    const scrub = await source.scrub(entries.map((e) => ({ key: e.origin.row ?? "", column: e.key, expected: e.value, replacement: null })));
    expect(scrub).toEqual({ scrubbed: entries.length, skipped: [] });
    expect(await readAll(source)).toEqual({ entries: [], batchSizes: [] });

    const target = entries[0];
    await server.query("UPDATE businesses SET gemini_api_key = 'new value set by the app' WHERE id = $1", [target?.origin.row], db);
    const restore = await source.restoreCells(entries.map((e) => ({ key: e.origin.row ?? "", column: e.key, expectedCurrent: null, value: e.value })));
    expect(restore.skipped).toEqual([{ key: target?.origin.row, column: "gemini_api_key" }]);
    const now = asCells((await readAll(source)).entries);
    expect(now.get(`${target?.origin.row}/gemini_api_key`)).toBe("new value set by the app");
  });

  it("rolls back the whole scrub when one cell cannot be written", async () => {
    const db = `t${++dbCount}`;
    const url = await server.createDatabase(db);
    await server.query(
      "CREATE TABLE businesses (id int PRIMARY KEY, a text, b varchar(12)); INSERT INTO businesses VALUES (1, 'x', 'y'), (2, 'p', 'q')",
      [],
      db,
    );
    const before = await dump(db);
    const source = await open(url, { columns: ["a", "b"], batchSize: 1 });
    const error = await cliError(
      source.scrub([
        { key: "1", column: "a", expected: "x", replacement: "secret:local:a" },
        { key: "1", column: "b", expected: "y", replacement: "secret:local:far-too-long-for-the-column" },
      ]),
    );
    expect(error.code).toBe("DB_QUERY_FAILED");
    expect(await dump(db)).toEqual(before);
    expect(await cliError(source.scrub([{ key: "1", column: "name", expected: "x", replacement: null }]))).toMatchObject({ code: "DB_COLUMN_NOT_SOURCED" });
  });

  it("refuses a key that is not unique", async () => {
    const db = `t${++dbCount}`;
    const url = await server.createDatabase(db);
    await server.query("CREATE TABLE businesses (tenant int, a text); INSERT INTO businesses VALUES (1, 'x'), (1, 'y')", [], db);
    const error = await cliError(readAll(await open(url, { key: "tenant", columns: ["a"] })));
    expect(error).toMatchObject({ code: "DB_KEY_NOT_UNIQUE", exitCode: 2 });
    expect(error.message).not.toMatch(/"x"|"y"/);
  });

  it("reports connection failures with host, port and database but never the password", async () => {
    const { db } = await seededDatabase();
    const wrong = "Wr0ng-pa55word-zzq";
    const auth = await cliError(open(`postgres://postgres:${wrong}@127.0.0.1:${server.port}/${db}`));
    expect(auth).toMatchObject({ code: "DB_AUTH_FAILED", exitCode: 3 });
    expect(auth.message).toContain(`127.0.0.1:${server.port}`);
    expect(auth.message).toContain(db);
    expect(`${auth.message} ${auth.hint}`).not.toContain(wrong);

    const refused = await cliError(open(`postgresql://postgres:${wrong}@127.0.0.1:1/${db}?sslmode=disable`));
    expect(refused).toMatchObject({ code: "DB_UNREACHABLE", exitCode: 3 });
    expect(refused.message).toContain("127.0.0.1:1");
    expect(refused.message).toContain(db);
    expect(`${refused.message} ${refused.hint}`).not.toContain(wrong);

    expect(await cliError(open(server.adminUrl("no_such_db")))).toMatchObject({ code: "DB_UNREACHABLE", exitCode: 3 });
  });

  it("names the missing SELECT or UPDATE privilege", async () => {
    const { db } = await seededDatabase();
    await server.query("DROP ROLE IF EXISTS reader; CREATE ROLE reader LOGIN PASSWORD 'reader-pw'", [], db);
    const url = `postgres://reader:reader-pw@127.0.0.1:${server.port}/${db}`;
    const select = await cliError(open(url));
    expect(select).toMatchObject({ code: "DB_PERMISSION_DENIED", exitCode: 3 });
    expect(select.message).toContain("SELECT");

    await server.query("GRANT SELECT ON businesses TO reader", [], db);
    const source = await open(url, { columns: ["gemini_api_key"] });
    const { entries } = await readAll(source);
    expect(entries.length).toBeGreaterThan(0);
    expect(await cliError(source.assertCanScrub())).toMatchObject({ code: "DB_PERMISSION_DENIED", exitCode: 3 });
    const update = await cliError(source.scrub(entries.map((e) => ({ key: e.origin.row ?? "", column: e.key, expected: e.value, replacement: null }))));
    expect(update).toMatchObject({ code: "DB_PERMISSION_DENIED", exitCode: 3 });
    expect(update.message).toContain("UPDATE");
  });

  it("emits (never runs) the DROP COLUMN migration", async () => {
    const { url, db } = await seededDatabase("app.businesses");
    const sql = (await open(url, { table: "app.businesses", columns: ["gemini_api_key", "claude_api_key"] })).emitDropSql();
    expect(sql).toContain('ALTER TABLE "app"."businesses" DROP COLUMN "gemini_api_key";');
    expect(sql).toContain('ALTER TABLE "app"."businesses" DROP COLUMN "claude_api_key";');
    expect(sql).toMatch(/^-- .*validate/m);
    expect((await dump(db, "app.businesses")).length).toBe(ROWS);
  });

  it("streams 50,000 rows in batches of at most 1,000 entries", async () => {
    const db = `t${++dbCount}`;
    const url = await server.createDatabase(db);
    await server.query(
      `CREATE TABLE businesses AS
       SELECT g AS id, 'sk-' || md5(g::text) AS api_key, 'rt-' || md5((g * 31)::text) AS refresh_token
       FROM generate_series(1, 50000) g`,
      [],
      db,
    );
    const source = await open(url, { columns: ["api_key", "refresh_token"], batchSize: 1000 });
    let total = 0;
    let batches = 0;
    let largest = 0;
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
