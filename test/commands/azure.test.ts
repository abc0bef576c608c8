import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDotenv } from "../../src/sources/dotenv.js";
import { type AzureHarness, startAzureHarness } from "../helpers/azure-harness.js";
import { commandSuite } from "../helpers/command-suite.js";
import { snapshot, type Target } from "../helpers/provider-snapshot.js";
import { parseJson, runSecrets } from "../helpers/run-cli.js";
import { spawnSecrets } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";
import { type AzureServerOptions, FAITHFUL_AZURE } from "../servers/azure-key-vault.js";

for (const [label, options] of [
  ["azure (HTTPS Key Vault, client-secret credential via the tenant's token endpoint)", {}],
  ["azure as documented: deletes, purges and recoveries finishing 1.5 s later", FAITHFUL_AZURE],
] as [string, AzureServerOptions][]) {
  commandSuite({
    label,
    start: async () => {
      const h = await startAzureHarness(options);
      // Key Vault cannot make an old version current again: a restore sets the old value as a new version.
      const common = { provider: "azure" as const, env: h.env, args: [], options: h.options, server: h.server, stop: h.stop };
      return { ...common, versionsAdvanceOnRestore: true, rollbackFrees: ["--purge"] };
    },
  });
}

type Item = { name: string; action: string; stored?: string; error?: string };

describe("azure specifics", () => {
  let h: AzureHarness;
  let seq = 0;
  beforeAll(async () => {
    h = await startAzureHarness();
  });
  afterAll(async () => h?.stop());

  async function project(pairs: Record<string, string>) {
    const cwd = await tmpdir();
    const prefix = `z${process.pid}x${seq++}/`;
    const run = (...args: string[]) => runSecrets(args, { cwd, env: h.env });
    const withPrefix = (...args: string[]) => run(...args, "--prefix", prefix);
    expect((await run("init")).code).toBe(0);
    const writeEnv = (p: Record<string, string>) => writeFile(join(cwd, ".env"), formatDotenv(Object.entries(p).map(([key, value]) => ({ key, value }))));
    await writeEnv(pairs);
    const stored = (key: string) => h.server.model.secrets.get(`${prefix}${key}`.replaceAll("/", "--").replaceAll("_", "-").toLowerCase());
    return { cwd, run, withPrefix, prefix, writeEnv, stored };
  }

  it("a name held by a soft-deleted secret is a conflict with a hint; --recover-deleted recovers it, and rollback puts its old value back", async () => {
    const p = await project({ DB_PASSWORD: "old-password-0000000000" });
    expect((await p.withPrefix("migrate", "azure", "--yes")).code).toBe(0);
    const oldVersion = p.stored("DB_PASSWORD")?.versions.at(-1)?.id;
    h.server.model.remove(`${p.prefix}DB_PASSWORD`.replaceAll("/", "--").replaceAll("_", "-"), 90);
    await p.writeEnv({ DB_PASSWORD: "new-password-1111111111" });

    const blocked = await p.withPrefix("migrate", "azure", "--yes", "--json");
    expect(blocked.code).toBe(1);
    expect((parseJson(blocked).items as Item[])[0]).toMatchObject({ action: "conflict", error: expect.stringMatching(/deletion/) });
    const human = await p.withPrefix("migrate", "azure", "--yes");
    expect(human.stderr).toMatch(/--recover-deleted.*--purge-deleted/);
    expect(p.stored("DB_PASSWORD")?.deleted).toBeDefined();

    const recovered = await p.withPrefix("migrate", "azure", "--yes", "--json", "--recover-deleted");
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(parseJson(recovered).summary).toMatchObject({ update: 1 });
    expect(p.stored("DB_PASSWORD")?.deleted).toBeUndefined();
    expect(p.stored("DB_PASSWORD")?.versions.at(-1)?.value).toBe("new-password-1111111111");

    expect((await p.run("rollback", "azure", "--last", "--yes")).code).toBe(0);
    const versions = p.stored("DB_PASSWORD")?.versions ?? [];
    expect(versions.at(-1)?.value).toBe(versions.find((v) => v.id === oldVersion)?.value);
  });

  it("--purge-deleted purges the soft-deleted secret and creates the name afresh; rollback --purge frees it again", async () => {
    const p = await project({ API_TOKEN: "first-token-00000000000" });
    expect((await p.withPrefix("migrate", "azure", "--yes")).code).toBe(0);
    expect((await p.run("rollback", "azure", "--last", "--yes")).code).toBe(0);
    expect(p.stored("API_TOKEN")?.deleted).toBeDefined();
    await p.writeEnv({ API_TOKEN: "second-token-1111111111" });
    const r = await p.withPrefix("migrate", "azure", "--yes", "--json", "--purge-deleted");
    expect(r.code, r.stderr).toBe(0);
    expect(parseJson(r).summary).toMatchObject({ create: 1 });
    expect(p.stored("API_TOKEN")?.versions.map((v) => v.value)).toEqual(["second-token-1111111111"]);
    expect((await p.run("rollback", "azure", "--last", "--yes", "--purge")).code).toBe(0);
    expect(p.stored("API_TOKEN")).toBeUndefined();
  });

  it("with deletes, purges and recoveries that take 1.5 s, --purge-deleted and --recover-deleted wait for the vault instead of failing", async () => {
    h.server.setOptions(FAITHFUL_AZURE);
    try {
      const p = await project({ API_TOKEN: "first-token-00000000000" });
      expect((await p.withPrefix("migrate", "azure", "--yes")).code).toBe(0);
      expect((await p.run("rollback", "azure", "--last", "--yes")).code).toBe(0);
      // Rollback waited for the delete; the purge --purge-deleted sends first finishes in the background.
      expect(p.stored("API_TOKEN")?.deleted).toBeDefined();
      await p.writeEnv({ API_TOKEN: "second-token-1111111111" });
      const sets = h.server.counts.SetSecret ?? 0;
      const purged = await p.withPrefix("migrate", "azure", "--yes", "--json", "--purge-deleted");
      expect(purged.code, purged.stdout).toBe(0);
      expect(parseJson(purged).summary).toMatchObject({ create: 1 });
      // Refused while soft-deleted, then while the purge ran, then accepted.
      expect((h.server.counts.SetSecret ?? 0) - sets).toBeGreaterThanOrEqual(3);
      expect(p.stored("API_TOKEN")?.versions.map((v) => v.value)).toEqual(["second-token-1111111111"]);

      // Someone deletes it and the vault is still at it: neither a live nor a deleted secret can be read yet.
      h.server.model.remove(`${p.prefix}API_TOKEN`.replaceAll("/", "--").replaceAll("_", "-"), 90);
      expect(p.stored("API_TOKEN")?.pending?.state).toBe("deleting");
      await p.writeEnv({ API_TOKEN: "third-token-222222222222" });
      const recovered = await p.withPrefix("migrate", "azure", "--yes", "--json", "--recover-deleted");
      expect(recovered.code, recovered.stdout).toBe(0);
      expect(h.server.counts.RecoverDeletedSecret).toBeGreaterThan(0);
      expect(p.stored("API_TOKEN")?.deleted).toBeUndefined();
      expect(p.stored("API_TOKEN")?.versions.map((v) => v.value)).toEqual(["second-token-1111111111", "third-token-222222222222"]);
    } finally {
      h.server.setOptions({ asyncMs: 0 });
    }
  });

  it("names that would share a vault name are invalid before any write, within a run and against what the vault holds", async () => {
    const p = await project({ Mixed_Case: "value-one-000000000000", MIXED_CASE: "value-two-000000000000", "ok.key": "value-three-0000000000" });
    const r = await p.withPrefix("migrate", "azure", "--yes", "--json");
    expect(r.code).toBe(1);
    const items = parseJson(r).items as Item[];
    expect(
      items
        .filter((i) => i.action === "invalid")
        .map((i) => i.name.slice(p.prefix.length))
        .sort(),
    ).toEqual(["MIXED_CASE", "Mixed_Case", "ok.key"]);
    expect(h.server.model.secrets.size === 0 || !p.stored("MIXED_CASE")).toBe(true);

    await p.writeEnv({ APP_KEY: "app-key-value-000000000" });
    const first = parseJson(await p.withPrefix("migrate", "azure", "--yes", "--json"));
    expect((first.items as Item[])[0]).toMatchObject({ action: "create", stored: `${p.prefix.replaceAll("/", "--")}APP-KEY` });
    await writeFile(join(p.cwd, "more.json"), JSON.stringify({ "APP-KEY": "other-value-000000000" }));
    const clash = await p.withPrefix("migrate", "azure", "--from", "more.json", "--yes", "--json");
    expect(clash.code).toBe(1);
    expect((parseJson(clash).items as Item[])[0]).toMatchObject({ action: "invalid", error: expect.stringMatching(/already holds .*APP_KEY/) });
    expect(p.stored("APP_KEY")?.versions).toHaveLength(1);
    const target: Target = { provider: "azure", env: h.env, args: [], options: {}, server: h.server };
    expect(await snapshot(target, p.cwd, p.prefix)).toEqual({ [`${p.prefix}APP_KEY`]: { value: "app-key-value-000000000", version: expect.any(String) } });
  });

  it("lists across pages (nextLink) and reads exact names back from their tags for validate --exact", async () => {
    const p = await project({ P_1: "page-value-1-000000000", P_2: "page-value-2-000000000", P_3: "page-value-3-000000000" });
    expect((await p.withPrefix("migrate", "azure", "--yes")).code).toBe(0);
    h.server.setOptions({ pageSize: 1 });
    try {
      expect((await p.withPrefix("validate", "azure", "--exact")).code).toBe(0);
      await p.writeEnv({ P_1: "page-value-1-000000000", P_2: "page-value-2-000000000" });
      const drift = parseJson(await p.withPrefix("validate", "azure", "--exact", "--json"));
      expect(drift.summary).toMatchObject({ extra: 1 });
      expect(drift.items).toContainEqual(expect.objectContaining({ name: `${p.prefix}P_3` }));
    } finally {
      h.server.setOptions({ pageSize: 25 });
    }
  });

  it("a spawned secrets process finds its credential through DefaultAzureCredential (workload identity) and trusts NODE_EXTRA_CA_CERTS natively", async () => {
    const p = await project({ SPAWNED: "spawned-value-000000000" });
    const tokenFile = join(p.cwd, "federated-token");
    await writeFile(tokenFile, h.server.tenant.federatedToken);
    const { AZURE_CLIENT_SECRET: _secret, ...rest } = h.env;
    const env = { ...rest, AZURE_FEDERATED_TOKEN_FILE: tokenFile, SECRETS_ENCRYPTION_KEY: "k".repeat(40) };
    const before = h.server.stats.tokens;
    const r = await spawnSecrets(["migrate", "azure", "--yes", "--json", "--prefix", p.prefix], p.cwd, env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).summary).toMatchObject({ create: 1 });
    expect(h.server.stats.tokens).toBeGreaterThan(before);
    expect(p.stored("SPAWNED")?.versions.at(-1)?.value).toBe("spawned-value-000000000");
  });

  it("honours 429 Retry-After and still writes everything", async () => {
    h.server.setOptions({ throttle: { limit: 10, windowMs: 1000, retryAfterSeconds: 1 } });
    try {
      const pairs = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`T${i}`, `throttled-value-${i}-abcdef`]));
      const p = await project(pairs);
      const before = h.server.stats.throttled;
      const started = Date.now();
      const r = await p.withPrefix("migrate", "azure", "--yes", "--json");
      expect(r.code, r.stderr).toBe(0);
      expect(parseJson(r).summary).toMatchObject({ create: 6, failed: 0 });
      expect(h.server.stats.throttled).toBeGreaterThan(before);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    } finally {
      h.server.setOptions({ throttle: undefined });
    }
  });

  it("a missing or non-https vault URL is refused (exit 2), a wrong client secret exits 3", async () => {
    const p = await project({ X: "some-value-00000000000" });
    const plain = await runSecrets(["migrate", "azure", "--yes", "--vault-url", "http://127.0.0.1:1"], { cwd: p.cwd, env: h.env });
    expect(plain.code).toBe(2);
    const none = await runSecrets(["migrate", "azure", "--yes"], { cwd: p.cwd, env: { ...h.env, AZURE_KEYVAULT_URL: "" } });
    expect([none.code, none.stderr]).toEqual([2, expect.stringContaining("--vault-url")]);
    const wrong = await runSecrets(["migrate", "azure", "--yes"], { cwd: p.cwd, env: { ...h.env, AZURE_CLIENT_SECRET: "not-the-secret" } });
    expect(wrong.code, wrong.stderr).toBe(3);
    expect(wrong.stderr).not.toContain("not-the-secret");
  });
});
