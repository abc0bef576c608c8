import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type TestPostgres } from "../helpers/postgres.js";
import { expectOldUntilPromoted, watchReads } from "../helpers/read-watch.js";
import { faultyStore, rotationProject } from "../helpers/rotation.js";
import { parseJson } from "../helpers/run-cli.js";

let server: TestPostgres;
let roleSeq = 0;

beforeAll(async () => {
  server = await startPostgres();
  await server.query("CREATE ROLE weak_admin LOGIN PASSWORD 'weak-admin-pw'");
});
afterAll(async () => server?.stop());

/** A fresh login role with a known password, so tests do not share state. */
async function role(password: string): Promise<string> {
  const name = `app${roleSeq++}`;
  await server.query(`CREATE ROLE ${name} LOGIN PASSWORD '${password}'`);
  return name;
}

async function canLogin(user: string, password: string): Promise<boolean> {
  const client = new pg.Client({ host: "127.0.0.1", port: server.port, database: "postgres", user, password });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

const T0 = new Date("2026-03-01T10:00:00Z");
const at = (hours: number) => () => new Date(T0.getTime() + hours * 3_600_000);

describe("--strategy postgres", () => {
  const OLD = "old-password-0123456789";
  const args = (r: string, db = server.url) => ["rotate", "DB_PASSWORD", "--yes", "--strategy", "postgres", "--db", db, "--role", r];

  it("changes the role's password as a SCRAM verifier; the old password stops working", async () => {
    const r = await role(OLD);
    const p = await rotationProject({ DB_PASSWORD: OLD });
    const run = await p.run(args(r));
    expect(run.code, run.stderr).toBe(0);
    const next = (await p.labels("DB_PASSWORD"))?.current.value ?? "";
    expect(next).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(run.stdout + run.stderr).not.toContain(next);
    expect(await canLogin(r, next)).toBe(true);
    expect(await canLogin(r, OLD)).toBe(false);
    const [row] = await server.query<{ rolpassword: string }>("SELECT rolpassword FROM pg_authid WHERE rolname = $1", [r]);
    expect(row?.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
  });

  it("ALTER ROLE refused: current unchanged, pending removed, the old password still works", async () => {
    const r = await role(OLD);
    const p = await rotationProject({ DB_PASSWORD: OLD });
    const weak = `postgres://weak_admin:weak-admin-pw@127.0.0.1:${server.port}/postgres`;
    const watch = watchReads(() => p.read("DB_PASSWORD"));
    const run = await p.run(args(r, weak), { providers: watch.factory });
    expect(run.code).toBe(1);
    expectOldUntilPromoted(watch.seen, OLD, undefined);
    expect(run.stderr).toContain("failed at step set");
    expect(run.stderr).toContain(`ALTER ROLE ${r} was refused`);
    expect(await p.labels("DB_PASSWORD")).toMatchObject({ current: { version: "1", value: OLD } });
    expect((await p.labels("DB_PASSWORD"))?.pending).toBeUndefined();
    expect(await canLogin(r, OLD)).toBe(true);
  });

  it("test command fails after ALTER ROLE: the old password is put back", async () => {
    const r = await role(OLD);
    const p = await rotationProject({ DB_PASSWORD: OLD });
    const watch = watchReads(() => p.read("DB_PASSWORD"));
    const run = await p.run([...args(r), "--test-command", "exit 1"], { providers: watch.factory });
    expect(run.code).toBe(1);
    expectOldUntilPromoted(watch.seen, OLD, undefined);
    expect(run.stderr).toContain(
      `failed at step test: the test command exited with code 1; version 1 is still current (the password of role ${r} was put back`,
    );
    expect(await p.labels("DB_PASSWORD")).toMatchObject({ current: { version: "1", value: OLD } });
    expect(await canLogin(r, OLD)).toBe(true);
  });

  it("killed after ALTER ROLE, before promote: the same command again finishes with the same password", async () => {
    const r = await role(OLD);
    const p = await rotationProject({ DB_PASSWORD: OLD });
    const crash = watchReads(() => p.read("DB_PASSWORD"), faultyStore("promote", "die-before"));
    expect((await p.run(args(r), { providers: crash.factory })).code).toBe(1);
    const pending = (await p.labels("DB_PASSWORD"))?.pending?.value ?? "";
    expect(await canLogin(r, pending)).toBe(true); // the database already has it; the store still says OLD
    const resume = watchReads(() => p.read("DB_PASSWORD"));
    const again = await p.run(args(r), { providers: resume.factory });
    expect(again.code, again.stderr).toBe(0);
    expectOldUntilPromoted([...crash.seen, ...resume.seen], OLD, pending);
    expect(await p.labels("DB_PASSWORD")).toMatchObject({ current: { version: "2", value: pending }, previous: { version: "1" } });
    expect(await canLogin(r, pending)).toBe(true);
  });

  it("--abort after a crash puts the old password back", async () => {
    const r = await role(OLD);
    const p = await rotationProject({ DB_PASSWORD: OLD });
    await p.run(args(r), { providers: faultyStore("promote", "die-before") });
    expect(await canLogin(r, OLD)).toBe(false);
    const watch = watchReads(() => p.read("DB_PASSWORD"));
    const aborted = await p.run([...args(r), "--abort"], { providers: watch.factory });
    expect(aborted.code, aborted.stderr).toBe(0);
    expectOldUntilPromoted(watch.seen, OLD, undefined);
    expect(await p.read("DB_PASSWORD")).toEqual({ status: 200, value: OLD });
    expect(await canLogin(r, OLD)).toBe(true);
    expect((await p.labels("DB_PASSWORD"))?.pending).toBeUndefined();
  });
});

describe("--strategy postgres-alternating", () => {
  const OLD = "alt-old-password-0123456789";
  const args = (r: string) => ["rotate", "APP_DB", "--yes", "--strategy", "postgres-alternating", "--db", server.url, "--role", r, "--grace-period", "1h"];
  const creds = async (p: Awaited<ReturnType<typeof rotationProject>>) =>
    JSON.parse((await p.labels("APP_DB"))?.current.value ?? "{}") as { username: string; password: string };

  it("flips between <role> and <role>_clone; old credentials work until cleanup expires them", async () => {
    const r = await role(OLD);
    const p = await rotationProject({ APP_DB: OLD });

    const first = await p.run(args(r), { now: at(0) });
    expect(first.code, first.stderr).toBe(0);
    const c1 = await creds(p);
    expect(c1.username).toBe(`${r}_clone`);
    expect(await canLogin(c1.username, c1.password)).toBe(true);
    expect(await canLogin(r, OLD)).toBe(true); // the old role is untouched through the grace period
    const [member] = await server.query(
      "SELECT 1 FROM pg_auth_members m JOIN pg_roles a ON a.oid = m.roleid JOIN pg_roles b ON b.oid = m.member WHERE a.rolname = $1 AND b.rolname = $2",
      [r, `${r}_clone`],
    );
    expect(member).toBeDefined();

    // Inside the grace period cleanup keeps everything; after it, without --db it refuses to drop the record.
    expect(parseJson(await p.run(["cleanup", "local", "--yes", "--json", "--db", server.url], { now: at(0.5) }))).toMatchObject({ summary: { due: 0 } });
    const noDb = await p.run(["cleanup", "local", "--yes", "--json"], { now: at(2) });
    expect(noDb.code).toBe(1);
    expect(parseJson(noDb)).toMatchObject({ summary: { skipped: 1 } });
    expect(await canLogin(r, OLD)).toBe(true);

    const cleaned = await p.run(["cleanup", "local", "--yes", "--db", server.url], { now: at(2) });
    expect(cleaned.code, cleaned.stderr).toBe(0);
    expect(await canLogin(r, OLD)).toBe(false);
    expect(await canLogin(c1.username, c1.password)).toBe(true);
    expect((await p.labels("APP_DB"))?.previous).toBeUndefined();

    // The next rotation goes back to <role>, with a fresh password and its expiry lifted.
    const second = await p.run(args(r), { now: at(3) });
    expect(second.code, second.stderr).toBe(0);
    const c2 = await creds(p);
    expect(c2.username).toBe(r);
    expect(await canLogin(r, c2.password)).toBe(true);
    expect(await canLogin(c1.username, c1.password)).toBe(true);
  });

  it("a failed test leaves the role not in use without the new password", async () => {
    const r = await role(OLD);
    const p = await rotationProject({ APP_DB: OLD });
    const watch = watchReads(() => p.read("APP_DB"));
    const run = await p.run([...args(r), "--test-command", "exit 3"], { providers: watch.factory });
    expect(run.code).toBe(1);
    expectOldUntilPromoted(watch.seen, OLD, undefined);
    expect(await p.labels("APP_DB")).toMatchObject({ current: { version: "1", value: OLD } });
    expect(await canLogin(r, OLD)).toBe(true);
    const [row] = await server.query<{ rolpassword: string | null }>("SELECT rolpassword FROM pg_authid WHERE rolname = $1", [`${r}_clone`]);
    expect(row?.rolpassword).toBeNull();
  });
});
