import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsHarness, startAwsHarness } from "../helpers/aws-harness.js";
import { awsTarget, localMark } from "../helpers/copy-targets.js";
import { snapshot } from "../helpers/provider-snapshot.js";
import { parseJson, runSecrets } from "../helpers/run-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";
import { startVaultHarness, type VaultHarness } from "../helpers/vault-harness.js";

/** A local store whose app/ROTATED has a previous version and app/FRESH none, copied with its history. */
describe("--with-previous", () => {
  let aws: AwsHarness;
  let kv1: VaultHarness;
  let cwd: string;
  const run = (...args: string[]) => runSecrets(args, { cwd, env: { ...aws.env, ...kv1.env } });

  beforeAll(async () => {
    [aws, kv1] = await Promise.all([startAwsHarness(), startVaultHarness({ kvVersion: 1 })]);
    cwd = await tmpdir();
    expect((await run("init")).code).toBe(0);
    await writeFile(join(cwd, "first.json"), JSON.stringify({ ROTATED: "the-old-value-0000", FRESH: "only-ever-one-value" }));
    await writeFile(join(cwd, "second.json"), JSON.stringify({ ROTATED: "the-new-value-1111" }));
    expect((await run("migrate", "local", "--from", "first.json", "--prefix", "app/", "--yes")).code).toBe(0);
    expect((await run("migrate", "local", "--from", "second.json", "--prefix", "app/", "--on-conflict", "overwrite", "--yes")).code).toBe(0);
  });
  afterAll(async () => Promise.all([aws?.stop(), kv1?.stop()]));

  it("writes the previous value first on a target with versions (AWS), and rollback removes both", async () => {
    const source = await localMark(cwd);
    const r = await run("migrate", "aws", "--from-provider", "local", "--from-prefix", "app/", "--prefix", "prev/", "--with-previous", "--yes", "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(parseJson(r).summary).toMatchObject({ create: 2, failed: 0 });
    const held = aws.server.snapshot() as Record<string, { versions: { value: string; stages: string[] }[] }>;
    const stages = (name: string) => held[name]?.versions.map((v) => [v.value, v.stages.join(",")]);
    expect(stages("prev/ROTATED")).toEqual([
      ["the-old-value-0000", "AWSPREVIOUS"],
      ["the-new-value-1111", "AWSCURRENT"],
    ]);
    expect(stages("prev/FRESH")).toEqual([["only-ever-one-value", "AWSCURRENT"]]);
    expect(await localMark(cwd)).toBe(source);

    const back = await run("rollback", "aws", "--last", "--yes");
    expect(back.code, back.stderr).toBe(0);
    expect(await snapshot(awsTarget(aws), cwd, "prev/")).toEqual({});
  });

  it("on a target without versions (Vault KV v1) warns and copies the current values only", async () => {
    const r = await run("migrate", "vault", ...kv1.args, "--from-provider", "local", "--from-prefix", "app/", "--with-previous", "--yes", "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("--with-previous: vault keeps no versions; only current values are copied");
    const held = await snapshot({ provider: "vault", env: kv1.env, args: kv1.args, options: kv1.options, server: kv1.server }, cwd, "");
    expect(Object.fromEntries(Object.entries(held).map(([k, v]) => [k, v.value]))).toEqual({ ROTATED: "the-new-value-1111", FRESH: "only-ever-one-value" });
  });

  it("from a source without versions (Vault KV v1) warns and copies the current values only", async () => {
    const store = join(cwd, "from-kv1.enc");
    const from = ["--from-provider", "vault", "--from-provider-option", `mount=${kv1.options.mount}`];
    const r = await run("migrate", "local", "--store", store, ...from, "--with-previous", "--yes");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("--with-previous: vault keeps no previous versions here; only current values are copied");
  });

  it("needs --from-provider", async () => {
    const r = await run("migrate", "local", "--from", "first.json", "--with-previous", "--dry-run");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--with-previous needs --from-provider");
  });
});
