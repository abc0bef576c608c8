import { existsSync } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProviderFactory } from "../../src/core/deps.js";
import { createProvider } from "../../src/providers/index.js";
import { cellValue, expectedCells, SECRET_COLUMNS, seedPostgres } from "../helpers/businesses.js";
import { canary } from "../helpers/command-suite.js";
import { startPostgres, type TestPostgres } from "../helpers/postgres.js";
import { failingOnWrite, snapshot, type Target } from "../helpers/provider-snapshot.js";
import { type CliResult, parseJson, runSecrets } from "../helpers/run-cli.js";
import { allFiles, nameOf, valuesOf } from "../helpers/state-files.js";
import { tmpdir } from "../helpers/tmpdir.js";

const LOCAL: Target = { provider: "local", env: {}, args: [], options: {} };
const CELLS = expectedCells();
let server: TestPostgres;
let dbCount = 0;

beforeAll(async () => {
  server = await startPostgres();
}, 120_000);
afterAll(async () => server?.stop());

/** A project folder after `secrets init` and its own freshly seeded `businesses` database. */
async function project() {
  const cwd = await tmpdir();
  const db = `c${++dbCount}`;
  const url = await server.createDatabase(db);
  const sql = <R extends Record<string, unknown>>(text: string, params?: unknown[]) => server.query<R>(text, params, db);
  await seedPostgres(sql);
  const dbArgs = ["--db", url, "--table", "businesses", "--columns", SECRET_COLUMNS.join(",")];
  const run = (args: string[], providers?: ProviderFactory) => runSecrets(args, { cwd, ...(providers ? { providers } : {}) });
  const migrate = (...args: string[]) => run(["migrate", "local", ...dbArgs, ...args]);
  expect((await run(["init"])).code).toBe(0);
  const dump = async () => (await sql<{ row: string }>("SELECT row_to_json(b)::text AS row FROM businesses b ORDER BY id")).map((r) => r.row);
  const vault = () => snapshot(LOCAL, cwd, "");
  const cell = async (id: number, column: string) => (await sql<{ v: string | null }>(`SELECT ${column} AS v FROM businesses WHERE id = $1`, [id]))[0]?.v;
  return { cwd, db, url, sql, dbArgs, run, migrate, dump, vault, cell };
}

const ok = (r: CliResult) => [r.code, r.stderr + r.stdout] as const;

describe("migrate --db against PostgreSQL", () => {
  it("businesses: dry-run, migrate, scrub reference, validate, rollback — table and vault exactly as before", async () => {
    const p = await project();
    const before = await p.dump();

    // 1. A dry run plans every non-empty cell and writes nothing anywhere.
    const dry = await p.migrate("--dry-run", "--json", "--scrub", "reference");
    expect(dry.code, dry.stderr).toBe(0);
    expect(parseJson(dry)).toMatchObject({ dryRun: true, summary: { create: CELLS.size }, scrub: { mode: "reference", planned: CELLS.size, scrubbed: 0 } });
    expect(await p.dump()).toEqual(before);
    expect(await p.vault()).toEqual({});
    expect(existsSync(join(p.cwd, ".secrets", "journal.jsonl"))).toBe(false);
    expect(existsSync(join(p.cwd, ".secrets", "backups"))).toBe(false);

    // 2. Live migrate: every vault value is byte-identical to its cell; the table is untouched.
    const live = await p.migrate("--yes", "--json");
    expect(...ok(live)).toBe(0);
    expect(parseJson(live).summary).toMatchObject({ create: CELLS.size, failed: 0 });
    const migrated = await p.vault();
    expect(valuesOf(migrated)).toEqual(Object.fromEntries([...CELLS].map(([cell, value]) => [nameOf(cell), value])));
    expect(await p.dump()).toEqual(before);

    // 3. Scrub in a second run: every secret is `unchanged`, and still counts as migrated.
    const scrub = await p.migrate("--yes", "--json", "--scrub", "reference");
    expect(...ok(scrub)).toBe(0);
    expect(parseJson(scrub)).toMatchObject({ summary: { unchanged: CELLS.size, create: 0 }, scrub: { mode: "reference", scrubbed: CELLS.size, skipped: 0 } });
    expect(await p.vault()).toEqual(migrated);
    for (let row = 1; row <= 200; row++) {
      const [cells] = await p.sql<Record<string, string | null>>(`SELECT ${SECRET_COLUMNS.join(", ")} FROM businesses WHERE id = $1`, [row]);
      SECRET_COLUMNS.forEach((column, col) => {
        const original = cellValue(row, col);
        expect(cells?.[column]).toBe(original ? `secret:local:businesses/${row}/${column}` : original);
      });
    }
    const journal = await readFile(join(p.cwd, ".secrets", "journal.jsonl"), "utf8");
    expect(journal).toMatch(/"type":"note".*"action":"scrub".*"status":"done".*"scrubbed":\d+/);

    // 4. validate: a reference cell is in sync when the secret it names exists.
    const valid = await p.run(["validate", "local", ...p.dbArgs, "--json"]);
    expect(...ok(valid)).toBe(0);
    expect(parseJson(valid)).toMatchObject({ inSync: true, summary: { "in-sync": CELLS.size, missing: 0, different: 0 } });
    const ref = (await p.cell(2, "gemini_api_key")) as string;
    await p.sql("UPDATE businesses SET gemini_api_key = 'secret:local:businesses/nope' WHERE id = 2");
    const dangling = await p.run(["validate", "local", ...p.dbArgs, "--json"]);
    expect(dangling.code).toBe(1);
    expect(parseJson(dangling).summary).toMatchObject({ missing: 1 });
    await p.sql("UPDATE businesses SET gemini_api_key = $1 WHERE id = 2", [ref]);

    // 5. Migrating again never copies a reference over the real secret.
    const again = await p.migrate("--yes", "--json", "--on-conflict", "overwrite");
    expect(again.code).toBe(0);
    expect(parseJson(again).summary).toMatchObject({ create: 0, update: 0 });
    expect(again.stderr).toContain("already hold a secret: reference");
    expect(await p.vault()).toEqual(migrated);

    // 6. rollback --last puts the cells back (dry run first), then the first run's rollback empties the vault.
    const plan = await p.run(["rollback", "local", "--last", "--dry-run", "--json"]);
    expect(parseJson(plan)).toMatchObject({ dryRun: true, target: parseJson(scrub).runId, cells: { restore: CELLS.size } });
    expect(await p.cell(1, "claude_api_key")).toMatch(/^secret:local:/);
    const back = await p.run(["rollback", "local", "--last", "--yes", "--json"]);
    expect(...ok(back)).toBe(0);
    expect(parseJson(back)).toMatchObject({ cells: { restore: CELLS.size, restored: CELLS.size, changedSince: 0 } });
    expect(await p.dump()).toEqual(before);
    expect(await p.vault()).toEqual(migrated);
    const first = await p.run(["rollback", "local", "--run", parseJson(live).runId as string, "--yes"]);
    expect(...ok(first)).toBe(0);
    expect(await p.vault()).toEqual({});
    const twice = await p.run(["rollback", "local", "--last", "--yes", "--json"]);
    expect(...ok(twice)).toBe(0);
    expect(parseJson(twice)).toMatchObject({ cells: { restored: 0, already: CELLS.size, changedSince: 0 } });
    expect(await p.dump()).toEqual(before);
    expect((await p.run(["journal", "verify"])).code).toBe(0);
  });

  it("--scrub null in the same run as the writes; one rollback restores table and vault", async () => {
    const p = await project();
    const before = await p.dump();
    const r = await p.migrate("--yes", "--json", "--scrub", "null");
    expect(...ok(r)).toBe(0);
    expect(parseJson(r)).toMatchObject({ summary: { create: CELLS.size }, scrub: { mode: "null", scrubbed: CELLS.size, skipped: 0 } });
    const [count] = await p.sql<{ n: string }>(
      `SELECT count(*) AS n FROM businesses WHERE ${SECRET_COLUMNS.map((c) => `COALESCE(${c}, '') <> ''`).join(" OR ")}`,
    );
    expect(count?.n).toBe("0");
    const back = await p.run(["rollback", "local", "--last", "--yes"]);
    expect(...ok(back)).toBe(0);
    expect(await p.dump()).toEqual(before);
    expect(await p.vault()).toEqual({});
  });

  it("scrub skips a row updated between the vault writes and the scrub; rollback leaves it alone", async () => {
    const p = await project();
    const before = await p.dump();
    // The store's flush is the moment the writes land: someone rotates a key right after it.
    const meanwhile: ProviderFactory = async (name, ctx) => {
      const store = await createProvider(name, ctx);
      const flush = store.flush.bind(store);
      store.flush = async () => {
        await flush();
        await p.sql("UPDATE businesses SET claude_api_key = 'rotated meanwhile' WHERE id = 8");
      };
      return store;
    };
    const r = await p.run(["migrate", "local", ...p.dbArgs, "--yes", "--json", "--scrub", "reference"], meanwhile);
    expect(...ok(r)).toBe(0);
    expect(parseJson(r).scrub).toEqual({
      mode: "reference",
      scrubbed: CELLS.size - 1,
      skipped: 1,
      skippedCells: [{ key: "8", column: "claude_api_key" }],
    });
    expect(r.stderr).toContain("businesses.claude_api_key[key=8] changed since it was read");
    expect(await p.cell(8, "claude_api_key")).toBe("rotated meanwhile");
    expect(await p.cell(8, "gemini_api_key")).toMatch(/^secret:local:|^$|^null$/);

    const back = await p.run(["rollback", "local", "--last", "--yes", "--json"]);
    expect(...ok(back)).toBe(0);
    expect(parseJson(back)).toMatchObject({ cells: { restore: CELLS.size - 1, restored: CELLS.size - 1, changedSince: 0 } });
    expect(await p.cell(8, "claude_api_key")).toBe("rotated meanwhile");
    await p.sql("UPDATE businesses SET claude_api_key = $1 WHERE id = 8", [cellValue(8, 1)]);
    expect(await p.dump()).toEqual(before);
  });

  it("a failed vault write prevents any scrub, and rollback restores the vault", async () => {
    const p = await project();
    const before = await p.dump();
    const r = await p.run(["migrate", "local", ...p.dbArgs, "--yes", "--json", "--scrub", "null", "--concurrency", "1"], failingOnWrite(3));
    expect(r.code).toBe(1);
    const doc = parseJson(r);
    expect(doc.summary).toMatchObject({ failed: 1 });
    expect(doc.scrub).toMatchObject({ mode: "null", scrubbed: 0, error: "not scrubbed: 1 vault write(s) failed" });
    expect(r.stderr).toContain("nothing was scrubbed");
    expect(await p.dump()).toEqual(before);
    expect(Object.keys(await p.vault()).length).toBe(CELLS.size - 1);
    const back = await p.run(["rollback", "local", "--last", "--yes", "--json"]);
    expect(...ok(back)).toBe(0);
    expect(parseJson(back).cells).toBeUndefined();
    expect(await p.vault()).toEqual({});
    expect(await p.dump()).toEqual(before);
  });

  it("refuses SQL injection in --table, --columns and --key with exit 2 and writes nothing", async () => {
    const p = await project();
    const before = await p.dump();
    const url = p.dbArgs[1] as string;
    const attempts = [
      ["--table", "businesses; DROP TABLE businesses", "--columns", "gemini_api_key"],
      ["--table", 'businesses" --', "--columns", "gemini_api_key"],
      ["--table", "businesses", "--columns", "gemini_api_key,(SELECT passwd FROM pg_shadow)"],
      ["--table", "businesses", "--columns", 'gemini_api_key"::text, version()::text --'],
      ["--table", "businesses", "--columns", "gemini_api_key", "--key", "id; DELETE FROM businesses"],
    ];
    for (const attempt of attempts) {
      const r = await p.run(["migrate", "local", "--db", url, ...attempt, "--yes", "--scrub", "null"]);
      expect(r.code, attempt.join(" ")).toBe(2);
      expect(r.stderr).toContain("BAD_IDENTIFIER");
    }
    expect(await p.dump()).toEqual(before);
    expect(await p.vault()).toEqual({});
    expect(existsSync(join(p.cwd, ".secrets", "journal.jsonl"))).toBe(false);
  });

  it("--where runs read-only: a DELETE cannot get in, even through a function", async () => {
    const p = await project();
    await p.sql("CREATE FUNCTION wipe() RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN DELETE FROM businesses; RETURN true; END $$");
    const before = await p.dump();
    for (const where of ["1=1; DELETE FROM businesses", "1=1); COMMIT; DELETE FROM businesses; SELECT (1", "id > 0 AND wipe()"]) {
      const r = await p.migrate("--where", where, "--yes", "--scrub", "null");
      expect(r.code, where).toBe(2);
      expect(r.stderr).toContain("DB_BAD_WHERE");
    }
    expect(await p.dump()).toEqual(before);
    expect(await p.vault()).toEqual({});
  });

  it("--emit-sql writes the DROP COLUMN migration after a live run, not in a dry run", async () => {
    const p = await project();
    const file = join(p.cwd, "drop-secret-columns.sql");
    const dry = await p.migrate("--dry-run", "--json", "--emit-sql", file);
    expect(parseJson(dry).emitSql).toEqual({ path: file, written: false });
    expect(existsSync(file)).toBe(false);

    const live = await p.migrate("--yes", "--json", "--emit-sql", "drop-secret-columns.sql");
    expect(...ok(live)).toBe(0);
    expect(parseJson(live).emitSql).toEqual({ path: file, written: true });
    const sql = await readFile(file, "utf8");
    expect(sql).toMatch(/^-- secretshift: drop the migrated secret columns of businesses \(PostgreSQL\)\./);
    expect(sql.match(/^ALTER TABLE "businesses" DROP COLUMN "\w+";$/gm)).toEqual(SECRET_COLUMNS.map((c) => `ALTER TABLE "businesses" DROP COLUMN "${c}";`));
    expect((await stat(file)).mode & 0o777).toBe(0o644);
    expect((await p.dump()).length).toBe(200);

    await writeFile(join(p.cwd, ".env"), "API_KEY=sk-from-a-file-0123456789\n");
    const noDb = await p.run(["migrate", "local", "--emit-sql", file, "--yes"]);
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toContain("DB_REQUIRED");
  });

  it("never prints or stores a cell value, nor the database password", async () => {
    const p = await project();
    const canaries = [canary("pg1"), canary("pg2")];
    await p.sql("UPDATE businesses SET gemini_api_key = $1 WHERE id = 1", [canaries[0]]);
    await p.sql("UPDATE businesses SET slack_bot_token = $1 WHERE id = 2", [canaries[1]]);
    const file = join(p.cwd, "drop.sql");
    const outputs = [
      await p.migrate("--dry-run"),
      await p.migrate("--dry-run", "--json", "--verbose"),
      await p.migrate("--yes", "--verbose"),
      await p.run(["validate", "local", ...p.dbArgs, "--verbose"]),
      await p.migrate("--yes", "--scrub", "reference", "--emit-sql", file, "--verbose"),
      await p.run(["validate", "local", ...p.dbArgs, "--json"]),
      await p.run(["rollback", "local", "--last", "--dry-run"]),
      await p.run(["rollback", "local", "--last", "--yes", "--verbose"]),
      await p.run(["journal", "list"]),
      await p.migrate("--table", "nope", "--yes"),
    ];
    const secrets = [...CELLS.values(), ...canaries, server.password].map((s) => Buffer.from(s, "utf8"));
    const texts = outputs.flatMap((o) => [o.stdout, o.stderr]).map((t) => Buffer.from(t, "utf8"));
    const files = await Promise.all([...(await allFiles(join(p.cwd, ".secrets"))), file].map((f) => readFile(f)));
    expect(files.length).toBeGreaterThan(4);
    for (const blob of [...texts, ...files]) for (const s of secrets) expect(blob.includes(s), s.toString()).toBe(false);
  });
});
