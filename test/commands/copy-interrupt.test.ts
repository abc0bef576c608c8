import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { localMark, vaultTarget } from "../helpers/copy-targets.js";
import { snapshot } from "../helpers/provider-snapshot.js";
import { runSecrets } from "../helpers/run-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";
import { startVaultHarness, type VaultHarness } from "../helpers/vault-harness.js";

/** Ctrl-C during a copy (at the Nth write the target receives): exit 130, and rollback leaves the target as it was. */
let vault: VaultHarness;
let cwd: string;
const target = () => vaultTarget(vault);
const localSource = () => localMark(cwd);

beforeAll(async () => {
  vault = await startVaultHarness({ kvVersion: 2 });
  cwd = await tmpdir();
  const run = (...args: string[]) => runSecrets(args, { cwd, env: vault.env });
  expect((await run("init")).code).toBe(0);
  await writeFile(join(cwd, "one.json"), JSON.stringify({ A: "a-old-value-000", B: "b-old-value-000", C: "c-old-value-000" }));
  await writeFile(join(cwd, "two.json"), JSON.stringify({ A: "a-new-value-111", B: "b-new-value-111", C: "c-new-value-111" }));
  expect((await run("migrate", "local", "--from", "one.json", "--prefix", "app/", "--yes")).code).toBe(0);
  expect((await run("migrate", "local", "--from", "two.json", "--prefix", "app/", "--on-conflict", "overwrite", "--yes")).code).toBe(0);
});
afterAll(async () => vault?.stop());

for (const [label, extra, call] of [
  ["a copy", [], 2],
  ["a --with-previous copy, between a previous value and its current one", ["--with-previous"], 1],
] as const) {
  it(`Ctrl-C during ${label}: exit 130, the source untouched, rollback restores the target exactly`, async () => {
    const prefix = `int${call}/`;
    const source = await localSource();
    const before = await snapshot(target(), cwd, prefix);
    const args = [
      "migrate",
      "vault",
      ...vault.args,
      "--from-provider",
      "local",
      "--from-prefix",
      "app/",
      "--prefix",
      prefix,
      "--concurrency",
      "1",
      "--yes",
      ...extra,
    ];
    const r = await runSecrets(args, { cwd, env: vault.env, interruptAt: { method: "write", call } });
    expect(r.code, r.stderr).toBe(130);
    const partial = await snapshot(target(), cwd, prefix);
    expect(Object.keys(partial).length).toBeGreaterThan(0);
    expect(Object.keys(partial).length).toBeLessThan(3);
    expect(await localSource()).toBe(source);
    const back = await runSecrets(["rollback", "vault", ...vault.args, "--last", "--yes"], { cwd, env: vault.env });
    expect(back.code, back.stderr).toBe(0);
    expect(await snapshot(target(), cwd, prefix)).toEqual(before);
  });
}
