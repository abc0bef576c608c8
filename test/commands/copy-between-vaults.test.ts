import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsHarness, startAwsHarness } from "../helpers/aws-harness.js";
import { canary } from "../helpers/command-suite.js";
import { awsTarget as awsTargetOf, localMark as localMarkOf, vaultTarget as vaultTargetOf } from "../helpers/copy-targets.js";
import { localCurrentValues } from "../helpers/local-store-file.js";
import { snapshot } from "../helpers/provider-snapshot.js";
import { parseJson, runSecrets } from "../helpers/run-cli.js";
import { valuesOf } from "../helpers/state-files.js";
import { tmpdir } from "../helpers/tmpdir.js";
import { startVaultHarness, type VaultHarness } from "../helpers/vault-harness.js";

/*
 * local → AWS → Vault → local on the wire-level test servers, judged from the servers' own
 * snapshots and write counters and the local store files' bytes, never through the providers.
 */
describe("copying between vaults (--from-provider)", () => {
  let aws: AwsHarness;
  let vault: VaultHarness;
  let cwd: string;
  const secret = canary("copy");
  const values: Record<string, string> = {
    API_KEY: secret,
    "db/password": "pa$$word-that-is-long",
    MULTI: "line one\nline two",
    "svc:token": "colon-names-only-local-can-hold",
  };
  // AWS allows no `:` in names; everything else travels the whole way.
  const portable = Object.fromEntries(Object.entries(values).filter(([k]) => !k.includes(":")));
  const awsTarget = () => awsTargetOf(aws);
  const vaultTarget = () => vaultTargetOf(vault);
  const run = (...args: string[]) => runSecrets(args, { cwd, env: { ...aws.env, ...vault.env } });
  const localMark = () => localMarkOf(cwd);

  beforeAll(async () => {
    [aws, vault] = await Promise.all([startAwsHarness(), startVaultHarness({ kvVersion: 2 })]);
    cwd = await tmpdir();
    expect((await run("init")).code).toBe(0);
    await writeFile(join(cwd, "seed.json"), JSON.stringify(values));
    const seeded = await run("migrate", "local", "--from", "seed.json", "--prefix", "app/", "--yes");
    expect(seeded.code, seeded.stderr).toBe(0);
  });
  afterAll(async () => Promise.all([aws?.stop(), vault?.stop()]));

  it("local → AWS: a name AWS cannot hold is invalid with its rule and nothing is written; without it the copy lands", async () => {
    const source = await localMark();
    const refused = await run("migrate", "aws", "--from-provider", "local", "--from-prefix", "app/", "--prefix", "copy1/", "--yes", "--json");
    expect(refused.code).toBe(1);
    const doc = parseJson(refused);
    expect(doc.summary).toMatchObject({ create: 3, invalid: 1 });
    const invalid = (doc.items as { name: string; action: string }[]).find((i) => i.action === "invalid");
    expect(invalid).toMatchObject({ name: "copy1/svc:token", source: "local:app/svc:token", error: expect.stringContaining("AWS secret names") });
    expect(aws.server.writes, JSON.stringify(aws.server.counts)).toBe(0);

    const copied = await run(
      "migrate",
      "aws",
      "--from-provider",
      "local",
      "--from-prefix",
      "app/",
      "--prefix",
      "copy1/",
      "--exclude",
      "copy1/svc:*",
      "--yes",
      "--json",
    );
    expect(copied.code, copied.stderr).toBe(0);
    expect(parseJson(copied).summary).toMatchObject({ create: 3, failed: 0 });
    expect(valuesOf(await snapshot(awsTarget(), cwd, "copy1/"))).toEqual(prefixed("copy1/", portable));
    expect(await localMark()).toBe(source);
    for (const r of [refused, copied]) expect(r.stdout + r.stderr).not.toContain(secret);
  });

  it("AWS → Vault, rolled back to the Vault's exact state, then copied again; the AWS server sees no write", async () => {
    const awsWrites = aws.server.writes;
    // Vault already holds one of the names with another value: the copy overwrites it, the rollback restores it.
    await writeFile(join(cwd, "old.env"), "API_KEY=the-value-before-the-copy\n");
    expect((await run("migrate", "vault", "--from", "old.env", "--prefix", "copy2/", ...vault.args, "--yes")).code).toBe(0);
    const before = await snapshot(vaultTarget(), cwd, "copy2/");
    const from = [
      "--from-provider",
      "aws",
      "--from-prefix",
      "copy1/",
      "--from-provider-option",
      `endpoint=${aws.server.url}`,
      "--from-provider-option",
      "region=us-east-1",
    ];
    const copy = () => run("migrate", "vault", ...from, "--prefix", "copy2/", ...vault.args, "--on-conflict", "overwrite", "--yes", "--json");

    const first = await copy();
    expect(first.code, first.stderr).toBe(0);
    expect(parseJson(first).summary).toMatchObject({ create: 2, update: 1 });
    expect(valuesOf(await snapshot(vaultTarget(), cwd, "copy2/"))).toEqual(prefixed("copy2/", portable));
    const back = await run("rollback", "vault", "--last", ...vault.args, "--yes");
    expect(back.code, back.stderr).toBe(0);
    expect(await snapshot(vaultTarget(), cwd, "copy2/")).toEqual(before);

    const again = await copy();
    expect(again.code, again.stderr).toBe(0);
    expect(valuesOf(await snapshot(vaultTarget(), cwd, "copy2/"))).toEqual(prefixed("copy2/", portable));
    expect(aws.server.writes).toBe(awsWrites);
  });

  it("validate --from-provider is in sync after the copy and finds drift after the source changes", async () => {
    const check = (...extra: string[]) =>
      run("validate", "vault", "--from-provider", "aws", "--from-prefix", "copy1/", "--prefix", "copy2/", ...vault.args, "--json", ...extra);
    const inSync = await check();
    expect(inSync.code, inSync.stdout + inSync.stderr).toBe(0);
    expect(parseJson(inSync).summary).toMatchObject({ "in-sync": 3 });

    await writeFile(join(cwd, "changed.env"), "MULTI=changed-in-aws-after-the-copy\n");
    expect((await run("migrate", "aws", "--from", "changed.env", "--prefix", "copy1/", "--on-conflict", "overwrite", "--yes")).code).toBe(0);
    const drift = await check();
    expect(drift.code).toBe(1);
    const doc = parseJson(drift);
    expect(doc.summary).toMatchObject({ "in-sync": 2, different: 1 });
    expect(doc.items).toContainEqual(expect.objectContaining({ name: "copy2/MULTI", action: "different" }));
  });

  it("Vault → local closes the round trip exactly, and the Vault server sees no write", async () => {
    const vaultWrites = vault.server.writes;
    const store = join(cwd, "round-trip.enc");
    const r = await run(
      "migrate",
      "local",
      "--store",
      store,
      "--from-provider",
      "vault",
      "--from-prefix",
      "copy2/",
      "--from-provider-option",
      "mount=secret",
      "--yes",
      "--json",
    );
    expect(r.code, r.stderr).toBe(0);
    const back = await localCurrentValues(cwd, {}, store);
    // MULTI changed in AWS (the drift test) after the Vault copy: Vault, and so this copy, hold the original.
    expect(Object.fromEntries([...back].map(([k, v]) => [k, v.value]))).toEqual(portable);
    expect(vault.server.writes).toBe(vaultWrites);
  });

  it("never copies the journal anchor, even with no --from-prefix", async () => {
    expect(Object.keys(aws.server.snapshot())).toContain("secretshift");
    const store = join(cwd, "everything.enc");
    const r = await run("migrate", "local", "--store", store, "--from-provider", "aws", "--yes", "--json");
    expect(r.code, r.stderr).toBe(0);
    expect([...(await localCurrentValues(cwd, {}, store)).keys()].sort()).toEqual(Object.keys(prefixed("copy1/", portable)).sort());
  });

  it("refuses a setting the source provider does not read, and --from-prefix without --from-provider", async () => {
    const bad = await run("migrate", "local", "--from-provider", "aws", "--from-provider-option", "mount=secret", "--dry-run");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"mount" is not a setting of aws');
    const alone = await run("validate", "local", "--from-prefix", "app/");
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain("--from-prefix needs --from-provider");
  });
});

const prefixed = (prefix: string, values: Record<string, string>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [`${prefix}${k}`, v]));
