import { readFile } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import type { ProviderFactory } from "../../src/core/deps.js";
import { readJournal, runsOf } from "../../src/core/journal.js";
import { createProvider } from "../../src/providers/index.js";
import { cellValue, expectedCells, SECRET_COLUMNS, seedSqlite } from "../helpers/businesses.js";
import { canary } from "../helpers/command-suite.js";
import { failingOnWrite, snapshot, type Target } from "../helpers/provider-snapshot.js";
import { type CliResult, parseJson, runSecrets } from "../helpers/run-cli.js";
import { allFiles, nameOf, valuesOf } from "../helpers/state-files.js";
import { tmpdir } from "../helpers/tmpdir.js";

const LOCAL: Target = { provider: "local", env: {}, args: [], options: {} };
const CELLS = expectedCells();

/** A project folder after `secrets init`, with `app.db` holding the seeded `businesses` table. */
async function project() {
  const cwd = await tmpdir();
  const path = join(cwd, "app.db");
  const db = new Database(path);
  seedSqlite(db);
  db.close();
  const dbArgs = ["--db", `sqlite:${path}`, "--table", "businesses", "--columns", SECRET_COLUMNS.join(",")];
  const run = (args: string[], providers?: ProviderFactory) => runSecrets(args, { cwd, ...(providers ? { providers } : {}) });
  const migrate = (...args: string[]) => run(["migrate", "local", ...dbArgs, ...args]);
  expect((await run(["init"])).code).toBe(0);
  const sql = (text: string, ...params: unknown[]) => {
    const conn = new Database(path);
    try {
      const statement = conn.prepare(text);
      if (!statement.reader) return statement.run(...params), [];
      return statement.raw(true).all(...params) as unknown[][];
    } finally {
      conn.close();
    }
  };
  // Every cell with its storage class, so a restore that changed a type is caught too.
  const dump = () => sql(`SELECT ${["id", "name", ...SECRET_COLUMNS].map((c) => `${c}, typeof(${c})`).join(", ")} FROM businesses ORDER BY id`);
  const vault = () => snapshot(LOCAL, cwd, "");
  return { cwd, path, dbArgs, run, migrate, sql, dump, vault };
}

const ok = (r: CliResult) => [r.code, r.stderr + r.stdout] as const;

describe("migrate --db against SQLite", () => {
  it("businesses: dry-run, migrate with --scrub reference, validate, rollback — file and vault exactly as before", async () => {
    const p = await project();
    const before = p.dump();
    const dry = await p.migrate("--dry-run", "--json", "--scrub", "reference");
    expect(parseJson(dry)).toMatchObject({ summary: { create: CELLS.size }, scrub: { planned: CELLS.size, scrubbed: 0 } });
    expect(p.dump()).toEqual(before);
    expect(await p.vault()).toEqual({});

    const live = await p.migrate("--yes", "--json", "--scrub", "reference");
    expect(...ok(live)).toBe(0);
    expect(parseJson(live)).toMatchObject({ summary: { create: CELLS.size }, scrub: { mode: "reference", scrubbed: CELLS.size, skipped: 0 } });
    expect(valuesOf(await p.vault())).toEqual(Object.fromEntries([...CELLS].map(([cell, value]) => [nameOf(cell), value])));
    const row7 = p.sql(`SELECT ${SECRET_COLUMNS.join(", ")} FROM businesses WHERE id = 7`)[0] ?? [];
    SECRET_COLUMNS.forEach((column, col) => {
      const original = cellValue(7, col);
      expect(row7[col]).toBe(original ? `secret:local:businesses/7/${column}` : original);
    });

    const valid = await p.run(["validate", "local", ...p.dbArgs, "--json"]);
    expect(...ok(valid)).toBe(0);
    expect(parseJson(valid)).toMatchObject({ inSync: true, summary: { "in-sync": CELLS.size } });

    const back = await p.run(["rollback", "local", "--last", "--yes", "--json"]);
    expect(...ok(back)).toBe(0);
    expect(parseJson(back)).toMatchObject({ summary: { delete: CELLS.size }, cells: { restored: CELLS.size } });
    expect(p.dump()).toEqual(before);
    expect(await p.vault()).toEqual({});
  });

  it("scrub skips a cell changed after the writes; a failed write prevents any scrub", async () => {
    const p = await project();
    const before = p.dump();
    const failing = await p.run(["migrate", "local", ...p.dbArgs, "--yes", "--json", "--scrub", "null", "--concurrency", "1"], failingOnWrite(3));
    expect(failing.code).toBe(1);
    expect(parseJson(failing).scrub).toMatchObject({ scrubbed: 0, error: "not scrubbed: 1 vault write(s) failed" });
    expect(p.dump()).toEqual(before);
    expect((await p.run(["rollback", "local", "--last", "--yes"])).code).toBe(0);

    const meanwhile: ProviderFactory = async (name, ctx) => {
      const store = await createProvider(name, ctx);
      const flush = store.flush.bind(store);
      store.flush = async () => {
        await flush();
        p.sql("UPDATE businesses SET claude_api_key = 'rotated meanwhile' WHERE id = 8");
      };
      return store;
    };
    const r = await p.run(["migrate", "local", ...p.dbArgs, "--yes", "--json", "--scrub", "null"], meanwhile);
    expect(...ok(r)).toBe(0);
    expect(parseJson(r).scrub).toMatchObject({ scrubbed: CELLS.size - 1, skipped: 1, skippedCells: [{ key: "8", column: "claude_api_key" }] });
    expect(p.sql("SELECT claude_api_key FROM businesses WHERE id = 8")).toEqual([["rotated meanwhile"]]);
  });

  it("a scrub the database refuses rolls back whole: exit 1, cells intact, and rollback still undoes the writes", async () => {
    const cwd = await tmpdir();
    const path = join(cwd, "small.db");
    const db = new Database(path);
    db.exec(
      "CREATE TABLE tokens (id INTEGER PRIMARY KEY, a TEXT, b TEXT CHECK (length(b) < 20)); INSERT INTO tokens VALUES (1, 'alpha-secret', 'beta'), (2, 'gamma', NULL)",
    );
    db.close();
    const run = (...args: string[]) => runSecrets(args, { cwd });
    expect((await run("init")).code).toBe(0);
    const r = await run("migrate", "local", "--db", `sqlite:${path}`, "--table", "tokens", "--columns", "a,b", "--scrub", "reference", "--yes", "--json");
    expect(r.code).toBe(1);
    expect(parseJson(r)).toMatchObject({ summary: { create: 3, failed: 0 }, scrub: { scrubbed: 0, error: expect.stringContaining("CHECK") } });
    expect(r.stderr).toContain("nothing was scrubbed");
    const rows = () => new Database(path, { readonly: true }).prepare("SELECT * FROM tokens ORDER BY id").raw(true).all();
    expect(rows()).toEqual([
      [1, "alpha-secret", "beta"],
      [2, "gamma", null],
    ]);
    const back = await run("rollback", "local", "--last", "--yes", "--json");
    expect(...ok(back)).toBe(0);
    expect(parseJson(back)).toMatchObject({ summary: { delete: 3 }, cells: { restored: 0, already: 3, changedSince: 0 } });
    expect(await snapshot(LOCAL, cwd, "")).toEqual({});
  });

  it("refuses injected identifiers and a writing --where; emits SQL; leaks no value", async () => {
    const p = await project();
    const before = p.dump();
    const secret = canary("sqlite");
    for (const bad of [
      ["--table", "businesses; DROP TABLE businesses"],
      ["--columns", "gemini_api_key,(SELECT sql FROM sqlite_master)"],
      ["--key", "id; DELETE FROM businesses"],
    ]) {
      const r = await p.migrate(...bad, "--yes", "--scrub", "null");
      expect(r.code, bad.join(" ")).toBe(2);
    }
    const where = await p.migrate("--where", "1=1; DELETE FROM businesses", "--yes");
    expect(where.code).toBe(2);
    expect(where.stderr).toContain("DB_BAD_WHERE");
    expect(p.dump()).toEqual(before);
    // The --where is refused while planning: the journal records a run that failed before any write.
    const runs = runsOf(await readJournal(join(p.cwd, ".secrets")));
    expect(runs.map((r) => [r.status, r.counts.intent])).toEqual([["failed", 0]]);

    p.sql("UPDATE businesses SET openai_api_key = ? WHERE id = 3", secret);
    const outputs = [
      await p.migrate("--dry-run", "--verbose"),
      await p.migrate("--yes", "--scrub", "reference", "--emit-sql", "drop.sql", "--verbose"),
      await p.run(["validate", "local", ...p.dbArgs]),
      await p.run(["rollback", "local", "--last", "--yes", "--verbose"]),
    ];
    expect(outputs.map((o) => o.code)).toEqual([0, 0, 0, 0]);
    const sql = await readFile(join(p.cwd, "drop.sql"), "utf8");
    expect(sql).toContain('ALTER TABLE "businesses" DROP COLUMN "slack_bot_token";');
    const blobs = [
      ...outputs.flatMap((o) => [Buffer.from(o.stdout), Buffer.from(o.stderr)]),
      Buffer.from(sql),
      ...(await Promise.all((await allFiles(join(p.cwd, ".secrets"))).map((f) => readFile(f)))),
    ];
    for (const value of [...CELLS.values(), secret]) for (const blob of blobs) expect(blob.includes(Buffer.from(value)), value).toBe(false);
  });
});
