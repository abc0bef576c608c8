import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type TestPostgres } from "../helpers/postgres.js";
import { spawnSecrets } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

// A real PostgreSQL with log_statement=all: its log holds every statement (and bind parameter) it
// received, which is what a DBA, a log shipper or an attacker reading the log would see.
let server: TestPostgres;
beforeAll(async () => {
  server = await startPostgres({ logStatements: true });
  // The test's own setup statements are not what is under test: keep them out of the log.
  await server.query("SET log_statement = 'none'");
});
afterAll(async () => server?.stop());

/** Every way a password could appear in the log: as typed, SASLprep-ed (NFKC), or as a literal escaped for SQL. */
function expectNotInLog(values: readonly string[]): void {
  const log = server.log();
  for (const value of values) {
    for (const form of new Set([value, value.normalize("NFKC"), value.replaceAll("'", "''")])) {
      expect(log.includes(Buffer.from(form, "utf8")), `the server log holds ${JSON.stringify(form)}`).toBe(false);
    }
  }
}

const literal = (s: string) => `E'${s.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;

async function canLogin(user: string, password: string): Promise<boolean> {
  const client = new pg.Client({ host: "127.0.0.1", port: server.port, database: "postgres", user, password });
  client.on("error", () => {});
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

describe("PostgreSQL never sees a password in plaintext, for any password, in any step", () => {
  // Non-ASCII, with characters SASLprep changes (a no-break space, a ligature, an ideographic space).
  const OLD = "ölD-pässwörd-ß\u00a0ﬁ-CANARY-old-7f3a";
  const NEW = "nëw-pässwörd-\u3000Ⅸ-CANARY-new-91c4";

  it("rotate with a failing test (undo puts the old password back), then a good rotation: the log holds neither password", async () => {
    await server.query(`CREATE ROLE app_nonascii LOGIN PASSWORD ${literal(OLD)}`);
    expect(await canLogin("app_nonascii", OLD)).toBe(true);
    const cwd = await tmpdir();
    await writeFile(join(cwd, ".env"), `DB_PASSWORD="${OLD}"\n`);
    const run = (...args: string[]) => spawnSecrets(args, cwd, { LANG: "C.UTF-8" });
    expect((await run("init")).code).toBe(0);
    expect((await run("migrate", "local", "--yes")).code).toBe(0);
    const logBefore = server.log().length;
    const rotate = ["rotate", "DB_PASSWORD", "--yes", "--strategy", "postgres", "--db", server.url, "--role", "app_nonascii"];
    const generator = ["--generator", `command:printf '%s' '${NEW}'`];

    const failed = await run(...rotate, ...generator, "--test-command", "exit 1");
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("was put back");
    expect(await canLogin("app_nonascii", OLD)).toBe(true);
    expect(await canLogin("app_nonascii", NEW)).toBe(false);

    const rotated = await run(...rotate, ...generator);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(await canLogin("app_nonascii", NEW)).toBe(true);
    expect(await canLogin("app_nonascii", OLD)).toBe(false);

    // The log did record the three ALTER ROLEs (set, undo, set): with verifiers only.
    const recorded = server.log().subarray(logBefore).toString("utf8");
    expect(recorded.match(/ALTER ROLE "app_nonascii" WITH PASSWORD E'SCRAM-SHA-256\$4096:/g)).toHaveLength(3);
    expectNotInLog([OLD, NEW]);
  });
});

describe("--scrub compares cells by digest: no migrated value is sent to the server", () => {
  const CELLS = ["sk-live-CANARY-scrub-aaaa-0123456789", "sk-live-CANARY-scrub-bbbb-ü-ß-0123", "it's a CANARY-scrub-cccc-quote"];

  it("a scrub run with the statement log on: the log has the UPDATEs and digests, never a cell", async () => {
    const url = await server.createDatabase("scrubbed");
    await server.query("SET log_statement = 'none'", [], "scrubbed");
    await server.query("CREATE TABLE vendors (id int PRIMARY KEY, api_key text)", [], "scrubbed");
    for (const [i, value] of CELLS.entries()) await server.query("INSERT INTO vendors VALUES ($1, $2)", [i + 1, value], "scrubbed");
    const cwd = await tmpdir();
    const run = (...args: string[]) => spawnSecrets(args, cwd);
    expect((await run("init")).code).toBe(0);
    const logBefore = server.log().length;
    const r = await run("migrate", "local", "--yes", "--db", url, "--table", "vendors", "--columns", "api_key", "--scrub", "null");
    expect(r.code, r.stderr).toBe(0);
    expect(await server.query("SELECT count(*)::int AS n FROM vendors WHERE api_key IS NULL", [], "scrubbed")).toEqual([{ n: 3 }]);
    const recorded = server.log().subarray(logBefore).toString("utf8");
    expect(recorded).toContain("sha256(convert_to(t.\"api_key\"::text, 'UTF8'))");
    expectNotInLog(CELLS);
  });
});

describe("a --where that fails on a cell never prints the cell", () => {
  const CANARY = "sk-CANARY-where-cell-5e1b";

  it("PostgreSQL: casting a cell to regclass or int fails with the value in the server's message; we say SQLSTATE and condition only", async () => {
    const url = await server.createDatabase("wherecells");
    await server.query("SET log_statement = 'none'", [], "wherecells");
    await server.query("CREATE TABLE t (id int PRIMARY KEY, c text)", [], "wherecells");
    await server.query("INSERT INTO t VALUES (1, $1)", [CANARY], "wherecells");
    const cwd = await tmpdir();
    const cases: [string, RegExp][] = [
      ["c::regclass IS NOT NULL", /--where failed: SQLSTATE 42P01 \(undefined table\)/],
      ["c::integer > 0", /--where failed: SQLSTATE 22P02 \(invalid text representation\)/],
      ["c::regtype IS NOT NULL", /--where failed: SQLSTATE 42601 \(syntax error\)$/m],
      ["plna = 'pro'", /--where failed: SQLSTATE 42703 \(undefined column\) at character 1 of --where/],
    ];
    for (const [where, said] of cases) {
      const r = await spawnSecrets(["migrate", "local", "--dry-run", "--db", url, "--table", "t", "--columns", "c", "--where", where], cwd);
      expect(r.code, where).toBe(2);
      expect(r.stderr, where).toMatch(said);
      expect(r.stdout + r.stderr, where).not.toContain(CANARY);
    }
  });

  it("SQLite: a JSON path error echoes the cell in SQLite's message; we say its code only", async () => {
    const cwd = await tmpdir();
    const path = join(cwd, "app.db");
    const db = new Database(path);
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, c TEXT)");
    db.prepare("INSERT INTO t VALUES (1, ?)").run(CANARY);
    db.close();
    const run = (where: string) =>
      spawnSecrets(["migrate", "local", "--dry-run", "--db", `sqlite:${path}`, "--table", "t", "--columns", "c", "--where", where], cwd);
    const data = await run("json_extract('{}', c) IS NULL");
    expect(data.code).toBe(2);
    expect(data.stderr).toContain("--where failed: SQLITE_ERROR (message withheld: it may quote a cell)");
    expect(data.stdout + data.stderr).not.toContain(CANARY);
    // A mistake in the statement itself is found before any row is read: its message is safe and shown.
    const typo = await run("plna = 'pro'");
    expect(typo.stderr).toContain("--where failed: no such column: plna");
  });
});
