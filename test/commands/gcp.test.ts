import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDotenv } from "../../src/sources/dotenv.js";
import { commandSuite } from "../helpers/command-suite.js";
import { type GcpHarness, startGcpHarness } from "../helpers/gcp-harness.js";
import { parseJson, runSecrets } from "../helpers/run-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

commandSuite({
  label: "gcp (REST Secret Manager, service-account ADC)",
  start: async () => {
    const h = await startGcpHarness();
    // GCP cannot make an old version current again: a restore adds the old payload as a new version.
    return { provider: "gcp", env: h.env, args: h.args, options: h.options, server: h.server, versionsAdvanceOnRestore: true, stop: h.stop };
  },
});

describe("gcp specifics", () => {
  let h: GcpHarness;
  let seq = 0;
  beforeAll(async () => {
    h = await startGcpHarness();
  });
  afterAll(async () => h?.stop());

  async function project(pairs: Record<string, string>) {
    const cwd = await tmpdir();
    const prefix = `g${process.pid}x${seq++}/`;
    const run = (...args: string[]) => runSecrets([...args, ...h.args], { cwd, env: h.env });
    expect((await run("init")).code).toBe(0);
    const writeEnv = (p: Record<string, string>) => writeFile(join(cwd, ".env"), formatDotenv(Object.entries(p).map(([key, value]) => ({ key, value }))));
    await writeEnv(pairs);
    return { run, prefix, writeEnv, id: (key: string) => `${prefix.replaceAll("/", "__")}${key}` };
  }

  it("shows how / is stored, refuses names that would not read back, and labels what it creates", async () => {
    const p = await project({ API_KEY: "key-value-0123456789", BAD__NAME: "bad-value-0123456789" });
    const dry = parseJson(await p.run("migrate", "gcp", "--prefix", p.prefix, "--dry-run", "--json"));
    const items = dry.items as { name: string; action: string; stored?: string; error?: string }[];
    expect(items.find((i) => i.name === `${p.prefix}API_KEY`)).toMatchObject({ action: "create", stored: p.id("API_KEY") });
    expect(items.find((i) => i.name === `${p.prefix}BAD__NAME`)?.action).toBe("invalid");
    expect(h.server.model.secrets.size).toBe(0);

    await p.writeEnv({ API_KEY: "key-value-0123456789" });
    expect((await p.run("migrate", "gcp", "--prefix", p.prefix, "--yes")).code).toBe(0);
    expect(h.server.model.secrets.get(p.id("API_KEY"))?.labels).toEqual({ "managed-by": "secretshift" });
  });

  it("rollback of an update re-adds the prior payload as a new version and disables the run's version", async () => {
    const p = await project({ TOKEN: "first-token-value-000000" });
    expect((await p.run("migrate", "gcp", "--prefix", p.prefix, "--yes")).code).toBe(0);
    await p.writeEnv({ TOKEN: "second-token-value-11111" });
    expect((await p.run("migrate", "gcp", "--prefix", p.prefix, "--yes", "--on-conflict", "overwrite")).code).toBe(0);
    const back = await p.run("rollback", "gcp", "--last", "--yes", "--json");
    expect(back.code, back.stderr).toBe(0);
    const versions = h.server.model.secrets.get(p.id("TOKEN"))?.versions ?? [];
    expect(versions.map((v) => [v.number, v.state, v.data?.toString()])).toEqual([
      [1, "ENABLED", "first-token-value-000000"],
      [2, "DISABLED", "second-token-value-11111"],
      [3, "ENABLED", "first-token-value-000000"],
    ]);
    expect((await p.run("validate", "gcp", "--prefix", p.prefix)).code).toBe(1);
    await p.writeEnv({ TOKEN: "first-token-value-000000" });
    expect((await p.run("validate", "gcp", "--prefix", p.prefix)).code).toBe(0);
    // `latest` now names a disabled version: the current value is the newest enabled one.
    h.server.model.setState(p.id("TOKEN"), "3", "DISABLED", undefined);
    const v = parseJson(await p.run("validate", "gcp", "--prefix", p.prefix, "--json"));
    expect(v.summary).toMatchObject({ different: 0, missing: 0 });
  });

  it("lists across pages (pageToken) for validate --exact", async () => {
    const p = await project({ P1: "page-value-1-000000000", P2: "page-value-2-000000000", P3: "page-value-3-000000000" });
    expect((await p.run("migrate", "gcp", "--prefix", p.prefix, "--yes")).code).toBe(0);
    h.server.setOptions({ maxPageSize: 1 });
    try {
      const before = h.server.counts.ListSecrets ?? 0;
      expect((await p.run("validate", "gcp", "--prefix", p.prefix, "--exact")).code).toBe(0);
      await p.writeEnv({ P1: "page-value-1-000000000", P2: "page-value-2-000000000" });
      const drift = parseJson(await p.run("validate", "gcp", "--prefix", p.prefix, "--exact", "--json"));
      expect(drift.summary).toMatchObject({ extra: 1 });
      expect((h.server.counts.ListSecrets ?? 0) - before).toBeGreaterThanOrEqual(6);
    } finally {
      h.server.setOptions({ maxPageSize: 250 });
    }
  });

  it("stays under the project's write quota: throttles back off and every write lands", async () => {
    h.server.setOptions({ writeQuota: { limit: 6, windowMs: 1000 } });
    try {
      const pairs = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`K${i}`, `quota-value-${i}-abcdefghij`]));
      const p = await project(pairs);
      const before = h.server.stats.throttled;
      const r = await p.run("migrate", "gcp", "--prefix", p.prefix, "--yes", "--json", "--concurrency", "8");
      expect(r.code, r.stderr).toBe(0);
      expect(parseJson(r).summary).toMatchObject({ create: 8, failed: 0 });
      expect(h.server.stats.throttled).toBeGreaterThan(before);
    } finally {
      h.server.setOptions({ writeQuota: undefined });
    }
  });

  it("refused credentials exit 3 before anything is written", async () => {
    const cwd = await tmpdir();
    const keyFile = join(cwd, "other.json");
    const other = { ...h.server.account.keyFile, client_email: "intruder@secretshift-test.iam.gserviceaccount.com" };
    await writeFile(keyFile, JSON.stringify(other));
    await writeFile(join(cwd, ".env"), "X=some-value-000000000\n");
    const env = { ...h.env, GOOGLE_APPLICATION_CREDENTIALS: keyFile };
    expect((await runSecrets(["init"], { cwd, env })).code).toBe(0);
    const r = await runSecrets(["migrate", "gcp", "--yes", ...h.args], { cwd, env });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/credentials/i);
  });
});
