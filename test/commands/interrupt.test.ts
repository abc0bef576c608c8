import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entriesOf, readJournal, runsOf } from "../../src/core/journal.js";
import { seedSqlite } from "../helpers/businesses.js";
import { entries, lastRun, writeEnv } from "../helpers/crash.js";
import { CRASH_TARGETS, type CrashTarget } from "../helpers/crash-targets.js";
import { rotationProject } from "../helpers/rotation.js";
import { parseJson, runSecrets } from "../helpers/run-cli.js";
import { spawnSecrets } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

// Ctrl-C in every writing command, triggered on an event (the n-th provider call or server
// write), never after a delay: the steps in flight finish and are journalled, nothing new
// starts, the command names how to go on and exits 130, and that command then finishes exactly.
let aws: CrashTarget;
let prefixes = 0;
beforeAll(async () => {
  aws = await (CRASH_TARGETS.aws as () => Promise<CrashTarget>)();
});
afterAll(async () => aws?.stop());

async function project() {
  const cwd = await tmpdir();
  const prefix = `int${prefixes++}-`;
  expect((await runSecrets(["init"], { cwd })).code).toBe(0);
  return { cwd, prefix, run: (args: string[], options: Parameters<typeof runSecrets>[1] = { cwd }) => runSecrets(args, { env: aws.env, ...options, cwd }) };
}

describe("Ctrl-C", () => {
  it("during a spawned migrate: in-flight writes finish and are journalled, nothing new starts, exit 130, rollback restores", async () => {
    const p = await project();
    await writeEnv(p.cwd, entries(200, "value"));
    const before = aws.state(p.prefix);
    const run = await spawnSecrets(["migrate", "aws", "--yes", "--prefix", p.prefix, "--concurrency", "2"], p.cwd, aws.env, (child) => {
      aws.onWrite(10, () => child.kill("SIGINT"));
    });
    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).toContain("interrupted: finishing the writes in flight");
    expect(run.stderr).toMatch(/interrupted: run the same command again to finish, or `secrets rollback aws --run \S+` to undo it/);
    const written = Object.keys(aws.state(p.prefix)).length;
    expect(written).toBeGreaterThanOrEqual(10);
    expect(written).toBeLessThan(200);

    expect((await spawnSecrets(["journal", "verify"], p.cwd)).code).toBe(0);
    expect(await lastRun(p.cwd)).toMatchObject({ status: "interrupted", counts: { pending: 0, done: written } });
    const back = await p.run(["rollback", "aws", "--last", "--yes"]);
    expect(back.code, back.stderr).toBe(0);
    expect(aws.state(p.prefix)).toEqual(before);
  });

  it("while a live migrate plans: it stops before any write, journals the run as interrupted, exit 130", async () => {
    const p = await project();
    await writeEnv(p.cwd, entries(20, "value"));
    const r = await p.run(["migrate", "aws", "--yes", "--json", "--prefix", p.prefix], { cwd: p.cwd, interruptAt: { method: "readMany", call: 1 } });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain("interrupted while planning; nothing was written");
    expect(parseJson(r)).toMatchObject({ interrupted: true });
    expect(aws.state(p.prefix)).toEqual({});
    expect(await lastRun(p.cwd)).toMatchObject({ command: "migrate", status: "interrupted", counts: { intent: 0 } });
  });

  it("during rollback: the reverts in flight finish, the rest wait; the named command finishes the rollback exactly", async () => {
    const p = await project();
    await writeEnv(p.cwd, entries(30, "old"));
    expect((await p.run(["migrate", "aws", "--yes", "--prefix", p.prefix])).code).toBe(0);
    const before = aws.state(p.prefix);
    await writeEnv(p.cwd, [...entries(30, "new"), ...entries(10, "new", 30)]);
    const migrated = parseJson(await p.run(["migrate", "aws", "--yes", "--json", "--on-conflict", "overwrite", "--prefix", p.prefix]));

    const r = await p.run(["rollback", "aws", "--last", "--yes", "--concurrency", "2"], { cwd: p.cwd, interruptAt: { method: "revert", call: 5 } });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain("interrupted: finishing the writes in flight");
    expect(r.stderr).toContain(`interrupted: run \`secrets rollback aws --run ${migrated.runId}\` again to finish undoing run ${migrated.runId}`);
    // The fifth revert had started when Ctrl-C came, and at most one more (--concurrency 2) had journalled its intent: they finished, nothing after.
    const rollbackRun = await lastRun(p.cwd);
    expect(rollbackRun).toMatchObject({ command: "rollback", status: "interrupted", counts: { failed: 0, pending: 0 } });
    expect(rollbackRun?.counts.done).toBe(rollbackRun?.counts.intent);
    expect(rollbackRun?.counts.done).toBeGreaterThanOrEqual(5);
    expect(rollbackRun?.counts.done).toBeLessThanOrEqual(6);
    expect(aws.state(p.prefix)).not.toEqual(before);

    const again = await p.run(["rollback", "aws", "--run", String(migrated.runId), "--yes"]);
    expect(again.code, again.stderr).toBe(0);
    expect(aws.state(p.prefix)).toEqual(before);
  });

  it("during cleanup: the removal in flight finishes, the rest wait for `secrets cleanup` again", async () => {
    const secrets = Object.fromEntries(["A", "B", "C"].map((k) => [k, `${k}-original-value-0123456789`]));
    const p = await rotationProject(secrets);
    const at = (hours: number) => () => new Date(Date.UTC(2026, 2, 1, hours));
    for (const name of Object.keys(secrets)) expect((await p.run(["rotate", name, "--yes", "--grace-period", "1h"], { now: at(0) })).code).toBe(0);

    const r = await p.run(["cleanup", "local", "--yes", "--json"], { now: at(5), interruptAt: { method: "rotation.dropPrevious", call: 1 } });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain("interrupted: run `secrets cleanup local` again to finish");
    const doc = parseJson(r) as { runId: string; items: { kind: string; name?: string; result?: string; error?: string }[] };
    expect(doc.items.filter((i) => i.kind === "previous").map((i) => [i.name, i.result, i.error])).toEqual([
      ["A", "done", undefined],
      ["B", "failed", "not started (interrupted)"],
      ["C", "failed", "not started (interrupted)"],
    ]);
    expect((await p.labels("A"))?.previous).toBeUndefined();
    expect((await p.labels("B"))?.previous?.value).toBe(secrets.B);
    const steps = entriesOf(await readJournal(join(p.cwd, ".secrets")), doc.runId);
    expect(steps.map((e) => [e.type, e.name ?? e.status])).toEqual([
      ["run-start", undefined],
      ["intent", "A"],
      ["done", "A"],
      ["run-end", "interrupted"],
    ]);

    const again = await p.run(["cleanup", "local", "--yes"], { now: at(5) });
    expect(again.code, again.stderr).toBe(0);
    for (const name of Object.keys(secrets)) expect((await p.labels(name))?.previous).toBeUndefined();
  });
});

describe("Ctrl-C with database columns", () => {
  async function database(cwd: string) {
    const path = join(cwd, "app.db");
    const db = new Database(path);
    seedSqlite(db);
    db.close();
    const dump = () => {
      const conn = new Database(path, { readonly: true });
      try {
        return conn.prepare("SELECT id, gemini_api_key, claude_api_key FROM businesses ORDER BY id").raw(true).all();
      } finally {
        conn.close();
      }
    };
    // 40 rows: enough cells for several reverts in flight, few enough for a quick run against the AWS server.
    const args = ["--db", `sqlite:${path}`, "--table", "businesses", "--columns", "gemini_api_key,claude_api_key", "--where", "id <= 40"];
    return { dump, args };
  }

  it("during the vault writes: the scrub does not start, every cell keeps its value, and a re-run scrubs", async () => {
    const cwd = await tmpdir();
    expect((await runSecrets(["init"], { cwd })).code).toBe(0);
    const db = await database(cwd);
    const before = db.dump();
    const r = await runSecrets(["migrate", "local", ...db.args, "--scrub", "null", "--yes", "--json"], {
      cwd,
      interruptAt: { method: "write", call: 1 },
    });
    expect(r.code, r.stderr).toBe(130);
    expect(parseJson(r)).toMatchObject({ scrub: { scrubbed: 0, error: "not scrubbed: the run was interrupted" } });
    expect(db.dump()).toEqual(before);
    const journal = await readJournal(join(cwd, ".secrets"));
    expect(journal.some((e) => e.type === "note")).toBe(false);
    expect(runsOf(journal).at(-1)).toMatchObject({ status: "interrupted", counts: { pending: 0 } });

    const again = await runSecrets(["migrate", "local", ...db.args, "--scrub", "null", "--yes", "--json"], { cwd });
    expect(again.code, again.stderr).toBe(0);
    expect(parseJson(again)).toMatchObject({ scrub: { mode: "null", skipped: 0 } });
    const scrubbed = db.dump().filter((row) => Number((row as unknown[])[0]) <= 40);
    expect(scrubbed.every((row) => (row as unknown[]).slice(1).every((cell) => cell === null || cell === ""))).toBe(true);
  });

  it("during a rollback that put cells back: the cell transaction is whole, the vault reverts in flight finish, and it finishes exactly", async () => {
    const p = await project();
    const db = await database(p.cwd);
    const before = db.dump();
    const live = await p.run(["migrate", "aws", ...db.args, "--prefix", p.prefix, "--scrub", "null", "--yes", "--json"]);
    expect(live.code, live.stderr).toBe(0);
    const migrated = parseJson(live) as { runId: string };
    expect(db.dump()).not.toEqual(before);

    const r = await p.run(["rollback", "aws", "--last", "--yes", "--concurrency", "2"], { cwd: p.cwd, interruptAt: { method: "revert", call: 3 } });
    expect(r.code, r.stderr).toBe(130);
    expect(db.dump()).toEqual(before);
    const run = await lastRun(p.cwd);
    expect(run).toMatchObject({ command: "rollback", status: "interrupted", counts: { failed: 0, pending: 0 } });
    expect([3, 4]).toContain(run?.counts.done);
    const notes = entriesOf(await readJournal(join(p.cwd, ".secrets")), run?.runId ?? "").filter((e) => e.type === "note");
    expect(notes.map((e) => [e.action, e.status])).toEqual([
      ["restore-cells", "started"],
      ["restore-cells", "done"],
    ]);

    const again = await p.run(["rollback", "aws", "--run", migrated.runId, "--yes", "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(parseJson(again)).toMatchObject({ cells: { restored: 0 } });
    expect(aws.state(p.prefix)).toEqual({});
    expect(db.dump()).toEqual(before);
  });
});
