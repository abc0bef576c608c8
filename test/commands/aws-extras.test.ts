import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDotenv } from "../../src/sources/dotenv.js";
import { type AwsHarness, startAwsHarness } from "../helpers/aws-harness.js";
import { snapshot, type Target } from "../helpers/provider-snapshot.js";
import { parseJson, type RunOptions, runSecrets } from "../helpers/run-cli.js";
import { onCount, settleAfter } from "../helpers/server-events.js";
import { spawnSecrets } from "../helpers/spawn-cli.js";
import { valuesOf } from "../helpers/state-files.js";
import { tmpdir } from "../helpers/tmpdir.js";
import { FAITHFUL_AWS } from "../servers/aws-secrets-manager.js";

/**
 * The aws provider through the CLI against the wire-level Secrets Manager: throttling, a SIGKILL
 * mid-run, rollback by staging label, AccessDenied on one secret, bad credentials, API-call budget.
 * Spawned runs need `npm run build` first.
 */
let h: AwsHarness;
let target: Target;
let seq = 0;

beforeAll(async () => {
  h = await startAwsHarness();
  target = { provider: "aws", env: h.env, args: [], options: h.options, server: h.server };
});
afterAll(() => h?.stop());

const entries = (n: number, tag: string, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ key: `KEY_${String(from + i).padStart(4, "0")}`, value: `${tag}-${from + i}-${"v".repeat(16)}` }));

/** A project dir after `secrets init`, with its own prefix on the shared server. */
async function project(env: Record<string, string> = {}) {
  const cwd = await tmpdir();
  const prefix = `x${process.pid}n${seq++}/`;
  const allEnv = { ...h.env, ...env };
  const run = (args: string[], more: Partial<RunOptions> = {}) => runSecrets(args, { cwd, env: allEnv, ...more });
  expect((await run(["init"])).code).toBe(0);
  const writeEnv = (list: { key: string; value: string }[]) => writeFile(join(cwd, ".env"), formatDotenv(list));
  const state = () => snapshot(target, cwd, prefix);
  const current = (key: string) => h.server.versions(`${prefix}${key}`).find((v) => v.stages.includes("AWSCURRENT"));
  return { cwd, prefix, run, writeEnv, state, current, env: allEnv };
}

/** Every version id AWSCURRENT pointed at, per name. */
const currentIds = (state: Record<string, { version: string }>) => Object.fromEntries(Object.entries(state).map(([k, v]) => [k, v.version]));

describe("aws through the CLI", () => {
  it("completes with 30% of requests throttled: nothing lost, nothing duplicated, progress says so", async () => {
    const p = await project();
    const list = entries(40, "t");
    await p.writeEnv(list);
    h.server.setOptions({ throttleFraction: 0.3 });
    const before = h.server.stats.throttled;
    // The CI reporter prints a progress line at most every 5 s; a clock that moves 6 s per reading
    // lets every line through, so the throttle notice is seen in a run that takes a second.
    let ticks = 0;
    const now = () => new Date(Date.UTC(2026, 0, 1) + ticks++ * 6000);
    const r = await p.run(["migrate", "aws", "--yes", "--prefix", p.prefix], { now }).finally(() => h.server.setOptions({ throttleFraction: 0 }));
    expect(r.code, r.stderr).toBe(0);
    expect(h.server.stats.throttled - before).toBeGreaterThan(10);
    expect(r.stderr).toMatch(/throttled, retrying in \d+\.\d s/);
    expect(valuesOf(await p.state())).toEqual(Object.fromEntries(list.map((e) => [`${p.prefix}${e.key}`, e.value])));
    for (const e of list) expect(h.server.versions(`${p.prefix}${e.key}`)).toHaveLength(1);
  });

  it("at the default settings, a 30% storm on top of a 50/s quota costs time, never a failure", async () => {
    const p = await project();
    const list = entries(150, "q");
    await p.writeEnv(list);
    h.server.setOptions({ throttleFraction: 0.3, writeQuota: { perSecond: 50 } });
    const before = h.server.stats.throttled;
    const r = await p
      .run(["migrate", "aws", "--yes", "--json", "--prefix", p.prefix])
      .finally(() => h.server.setOptions({ throttleFraction: 0, writeQuota: undefined }));
    expect(r.code, r.stderr).toBe(0);
    expect(parseJson(r).summary).toMatchObject({ create: 150, failed: 0 });
    // More throttles than the storm alone gives: the quota was reached, and held to.
    expect(h.server.stats.throttled - before).toBeGreaterThan(0.3 * 150);
    expect(valuesOf(await p.state())).toEqual(Object.fromEntries(list.map((e) => [`${p.prefix}${e.key}`, e.value])));
    for (const e of list) expect(h.server.versions(`${p.prefix}${e.key}`)).toHaveLength(1);
  });

  it("rollback after an update moves AWSCURRENT back without PutSecretValue", async () => {
    const p = await project();
    await p.writeEnv(entries(5, "old"));
    expect((await p.run(["migrate", "aws", "--yes", "--prefix", p.prefix])).code).toBe(0);
    const before = await p.state();
    await p.writeEnv(entries(5, "new"));
    expect((await p.run(["migrate", "aws", "--yes", "--on-conflict", "overwrite", "--prefix", p.prefix])).code).toBe(0);
    expect(p.current("KEY_0000")?.value).toMatch(/^new-/);
    h.server.resetCounts();
    const back = await p.run(["rollback", "aws", "--last", "--yes", "--json"]);
    expect(back.code, back.stdout).toBe(0);
    expect(parseJson(back).summary).toMatchObject({ restore: 5, failed: 0 });
    expect(h.server.counts.PutSecretValue).toBeUndefined();
    expect(h.server.counts.UpdateSecretVersionStage).toBe(5);
    expect(await p.state()).toEqual(before);
    for (const e of entries(5, "x")) expect(h.server.versions(`${p.prefix}${e.key}`)).toHaveLength(2);
  });

  it("AccessDenied on one secret's write fails that item with the reason, applies the rest, and rollback restores", async () => {
    const p = await project();
    await p.writeEnv(entries(3, "old"));
    expect((await p.run(["migrate", "aws", "--yes", "--prefix", p.prefix])).code).toBe(0);
    const before = await p.state();
    const locked = `${p.prefix}KEY_0001`;
    await p.writeEnv([...entries(3, "new"), ...entries(2, "added", 3)]);
    h.server.setOptions({ denied: [`PutSecretValue:${locked}`] });
    const r = await p.run(["migrate", "aws", "--yes", "--json", "--on-conflict", "overwrite", "--prefix", p.prefix]);
    h.server.setOptions({ denied: [] });
    expect(r.code, r.stderr).toBe(1);
    const doc = parseJson(r) as { summary: Record<string, number>; items: { name: string; action: string; error?: string }[] };
    expect(doc.summary).toMatchObject({ failed: 1, update: 2, create: 2 });
    const failed = doc.items.find((i) => i.name === locked);
    expect(failed).toMatchObject({ action: "failed" });
    expect(failed?.error).toMatch(/PutSecretValue .*KEY_0001: access denied/);
    expect(failed?.error).not.toMatch(/not found/i);
    expect(r.stderr).toContain("secrets rollback aws --run");
    expect(p.current("KEY_0000")?.value).toMatch(/^new-/);
    expect(p.current("KEY_0001")?.value).toMatch(/^old-/);
    expect(p.current("KEY_0003")?.value).toMatch(/^added-/);

    const back = await p.run(["rollback", "aws", "--last", "--yes"]);
    expect(back.code, back.stderr + back.stdout).toBe(0);
    expect(await p.state()).toEqual(before);
  });

  it("refuses bad credentials with exit 3, one line and a hint, no stack", async () => {
    const p = await project({ AWS_ACCESS_KEY_ID: "AKIDNOBODYKNOWS" });
    await p.writeEnv(entries(2, "v"));
    for (const args of [
      ["migrate", "aws", "--yes", "--prefix", p.prefix],
      ["validate", "aws", "--prefix", p.prefix],
    ]) {
      const r = await p.run(args);
      expect(r.code).toBe(3);
      const lines = r.stderr.trim().split("\n");
      expect(
        lines.filter((l) => l.startsWith("error ")),
        r.stderr,
      ).toEqual([expect.stringMatching(/^error \[AWS_CREDENTIALS\]: AWS refused the credentials: .*invalid/)]);
      expect(lines.at(-1)).toMatch(/^hint: .*AWS_PROFILE/);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
    const none = await project({ AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" });
    await none.writeEnv(entries(1, "v"));
    const r = await none.run(["migrate", "aws", "--yes", "--prefix", none.prefix]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/^error \[AWS_CREDENTIALS\]: no usable AWS credentials: .+\nhint: /);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it("reports API calls in --json, and validate of 200 secrets stays within 0.06 calls per secret", async () => {
    const p = await project();
    const n = 200;
    await p.writeEnv(entries(n, "bulk"));
    const m = await p.run(["migrate", "aws", "--yes", "--json", "--concurrency", "8", "--prefix", p.prefix]);
    expect(m.code, m.stderr).toBe(0);
    const stats = parseJson(m).stats as { apiCalls: number };
    expect(stats.apiCalls).toBeGreaterThanOrEqual(n);
    // The budget is counted by the server, not by the client under test.
    const before = h.server.stats.requests;
    const v = await p.run(["validate", "aws", "--json", "--prefix", p.prefix]);
    expect(v.code, v.stderr).toBe(0);
    const calls = h.server.stats.requests - before;
    const doc = parseJson(v) as { summary: Record<string, number>; stats: { apiCalls: number } };
    expect(doc.summary["in-sync"]).toBe(n);
    expect(calls / n).toBeLessThanOrEqual(0.06);
    expect(doc.stats.apiCalls).toBe(calls);
    expect(h.server.counts).toMatchObject({ BatchGetSecretValue: expect.any(Number), ListSecrets: expect.any(Number) });
  });

  it("validate --exact confirms by name what a lagging listing shows: a secret deleted a moment ago is not extra", async () => {
    const p = await project();
    let clock = Date.now();
    h.server.setOptions({ listingLagMs: 5000, now: () => clock });
    try {
      await p.writeEnv(entries(2, "kept"));
      expect((await p.run(["migrate", "aws", "--yes", "--prefix", p.prefix])).code).toBe(0);
      await p.writeEnv(entries(3, "kept"));
      expect((await p.run(["migrate", "aws", "--yes", "--prefix", p.prefix])).code).toBe(0);
      clock += 10_000;
      expect((await p.run(["rollback", "aws", "--last", "--yes"])).code).toBe(0);
      expect(Object.keys(await p.state())).toHaveLength(2);
      await p.writeEnv(entries(2, "kept"));
      // ListSecrets answers as of 5 s ago, when KEY_0002 still existed.
      const listed = h.server.counts.ListSecrets ?? 0;
      const r = await p.run(["validate", "aws", "--exact", "--json", "--prefix", p.prefix]);
      expect(h.server.counts.ListSecrets).toBe(listed + 1);
      expect(parseJson(r).summary).toMatchObject({ "in-sync": 2, extra: 0 });
      expect(r.code, r.stdout).toBe(0);
    } finally {
      h.server.setOptions({ listingLagMs: 0, now: undefined });
    }
  });

  it("with a 5 s listing lag and asynchronous force-delete, migrate → validate → re-run → rollback → migrate are exact back to back", async () => {
    const p = await project();
    h.server.setOptions(FAITHFUL_AWS);
    try {
      const n = 45;
      await p.writeEnv(entries(n, "one"));
      const first = await p.run(["migrate", "aws", "--yes", "--json", "--prefix", p.prefix]);
      expect(parseJson(first).summary).toMatchObject({ create: n, failed: 0 });
      const afterFirst = await p.state();
      const check = await p.run(["validate", "aws", "--exact", "--json", "--prefix", p.prefix]);
      expect(check.code, check.stdout).toBe(0);
      expect(parseJson(check).summary).toMatchObject({ "in-sync": n });
      // A second run changes 15 values and adds 15 names; its re-run finds nothing left to do.
      await p.writeEnv([...entries(15, "two"), ...entries(n - 15, "one", 15), ...entries(15, "new", n)]);
      const second = await p.run(["migrate", "aws", "--yes", "--json", "--on-conflict", "overwrite", "--prefix", p.prefix]);
      expect(parseJson(second).summary).toMatchObject({ update: 15, create: 15, failed: 0 });
      const rerun = await p.run(["migrate", "aws", "--yes", "--json", "--on-conflict", "overwrite", "--prefix", p.prefix]);
      expect(parseJson(rerun).summary).toMatchObject({ unchanged: n + 15, update: 0, create: 0 });
      expect((await p.run(["rollback", "aws", "--last", "--yes"])).code).toBe(0);
      expect(await p.state()).toEqual(afterFirst);
      // The 15 names the rollback force-deleted are still being deleted; the next migrate waits for them.
      const again = await p.run(["migrate", "aws", "--yes", "--json", "--on-conflict", "overwrite", "--prefix", p.prefix]);
      expect(again.code, again.stdout).toBe(0);
      expect(parseJson(again).summary).toMatchObject({ update: 15, create: 15, failed: 0, conflict: 0 });
      const exact = await p.run(["validate", "aws", "--exact", "--json", "--prefix", p.prefix]);
      expect(exact.code, exact.stdout).toBe(0);
      expect(parseJson(exact).summary).toMatchObject({ "in-sync": n + 15 });
    } finally {
      h.server.setOptions({ listingLagMs: 0, asyncDeleteMs: 0, strictCreate: false });
    }
  });
});

describe("aws: a spawned run killed with SIGKILL mid-way", () => {
  const OLD = 150;
  const TOTAL = 300;

  /** 150 secrets migrated, then a run that updates them all and creates 150 more, killed after ~100 writes. */
  async function killedRun() {
    const p = await project();
    await p.writeEnv(entries(OLD, "old"));
    expect((await p.run(["migrate", "aws", "--yes", "--concurrency", "8", "--prefix", p.prefix])).code).toBe(0);
    const before = await p.state();
    const wanted = [...entries(OLD, "new"), ...entries(TOTAL - OLD, "new", OLD)];
    await p.writeEnv(wanted);
    const writes = () => (h.server.counts.PutSecretValue ?? 0) + (h.server.counts.CreateSecret ?? 0);
    const start = writes();
    let landed = 0;
    // Killed as the server takes its 100th write: that one lands, its answer never arrives.
    const settle = settleAfter();
    const killed = await spawnSecrets(["migrate", "aws", "--yes", "--on-conflict", "overwrite", "--prefix", p.prefix], p.cwd, p.env, (child) => {
      onCount(h.server.counts, ["PutSecretValue", "CreateSecret"], 100, () => {
        landed = writes() - start;
        child.kill("SIGKILL");
      });
    });
    expect(killed.signal, killed.stderr).toBe("SIGKILL");
    // Requests the killed process had in flight still land on the server.
    await settle();
    expect(landed).toBe(100);
    expect(writes() - start).toBeLessThan(TOTAL);
    return { p, before, wanted };
  }

  it("a re-run finishes with exactly one new version per changed secret", async () => {
    const { p, wanted } = await killedRun();
    const rerun = await spawnSecrets(["migrate", "aws", "--yes", "--json", "--on-conflict", "overwrite", "--prefix", p.prefix], p.cwd, p.env);
    expect(rerun.code, rerun.stderr).toBe(0);
    const summary = (JSON.parse(rerun.stdout) as { summary: Record<string, number> }).summary;
    expect((summary.update ?? 0) + (summary.create ?? 0) + (summary.unchanged ?? 0)).toBe(TOTAL);
    expect(summary.unchanged).toBeGreaterThan(0);
    expect(valuesOf(await p.state())).toEqual(Object.fromEntries(wanted.map((e) => [`${p.prefix}${e.key}`, e.value])));
    wanted.forEach((e, i) => {
      expect(h.server.versions(`${p.prefix}${e.key}`), e.key).toHaveLength(i < OLD ? 2 : 1);
    });
  }, 30_000);

  it("rollback --last instead puts every AWSCURRENT back on its old version id", async () => {
    const { p, before } = await killedRun();
    const back = await spawnSecrets(["rollback", "aws", "--last", "--yes"], p.cwd, p.env);
    expect(back.code, back.stderr + back.stdout).toBe(0);
    const after = await p.state();
    expect(currentIds(after)).toEqual(currentIds(before));
    expect(after).toEqual(before);
    for (const e of entries(TOTAL - OLD, "x", OLD)) expect(h.server.state.find(`${p.prefix}${e.key}`), e.key).toBeUndefined();
    expect((await spawnSecrets(["journal", "verify"], p.cwd, p.env)).code).toBe(0);
  }, 30_000);
});

describe("aws and vault settings", () => {
  /** Every `ctx.options` key src/providers/aws/settings.ts and src/providers/vault/settings.ts read, with a valid value. */
  const read: Record<string, string | number | boolean> = {
    region: "eu-west-1",
    profile: "team",
    endpoint: "http://127.0.0.1:9",
    kmsKeyId: "alias/app",
    description: "migrated",
    maxAttempts: 5,
    recoveryWindow: 7,
    restoreDeleted: true,
    address: "http://127.0.0.1:8200",
    mount: "kv",
    kvVersion: 2,
    field: "secret",
    authMount: "approle2",
    namespace: "team-a",
  };
  const flag = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

  it("every option the providers read is a flag and a secretshift.yaml key", async () => {
    const cwd = await tmpdir();
    const help = await runSecrets(["migrate", "--help"], { cwd });
    for (const key of Object.keys(read)) expect(help.stdout).toContain(flag(key));
    const section = Object.entries(read).map(([k, v]) => `    ${k}: ${v}`);
    await writeFile(join(cwd, "secretshift.yaml"), ["providers:", "  aws:", ...section, "  vault:", ...section, ""].join("\n"));
    for (const provider of ["aws", "vault"]) {
      const r = await runSecrets(["config", "show", "--provider", provider, "--json"], { cwd });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const settings = (parseJson(r) as { settings: { setting: string; value: unknown; origin: string }[] }).settings;
      for (const key of Object.keys(read)) expect(settings.find((s) => s.setting === key)?.origin, key).toMatch(/^secretshift\.yaml:\d+$/);
    }
  });
});
