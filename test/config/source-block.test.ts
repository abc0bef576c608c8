import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseJson, runSecrets } from "../helpers/run-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

/**
 * The source vault's settings reach it from the `source:` block of secretshift.yaml and from the
 * SECRETS_FROM_* twins as from the flags. The source here is a second local store file
 * (`store=…`, absolute: a relative --store is taken from the process's directory), so which file was read shows in the plan.
 */
describe("source: block and SECRETS_FROM_* twins", () => {
  let cwd: string;
  const run = (args: string[], env: Record<string, string> = {}) => runSecrets(args, { cwd, env });
  const names = (stdout: string) =>
    (parseJson({ code: 0, stdout, stderr: "" }).items as { name: string; source: string }[]).map((i) => `${i.name}<-${i.source}`);

  beforeAll(async () => {
    cwd = await tmpdir();
    expect((await run(["init"])).code).toBe(0);
    await writeFile(join(cwd, "seed.json"), JSON.stringify({ "team/API_KEY": "api-key-value-0123", "other/TOKEN": "not-under-the-prefix" }));
    const seeded = await run(["migrate", "local", "--store", join(cwd, "source.enc"), "--from", "seed.json", "--yes"]);
    expect(seeded.code, seeded.stderr).toBe(0);
    // A .env the file's `sources:` would add: a copy on the command line must leave it out.
    await writeFile(join(cwd, ".env"), "FROM_DOTENV=dotenv-value-4567\n");
  });

  it("reads provider, prefix and options from the source: block", async () => {
    await writeFile(join(cwd, "secretshift.yaml"), `source:\n  provider: local\n  prefix: team/\n  options:\n    store: ${join(cwd, "source.enc")}\n`);
    const r = await run(["migrate", "local", "--dry-run", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(names(r.stdout)).toEqual(["API_KEY<-local:team/API_KEY"]);
  });

  it("takes SECRETS_FROM_PROVIDER, SECRETS_FROM_PREFIX and SECRETS_FROM_PROVIDER_OPTION over the file", async () => {
    await writeFile(join(cwd, "secretshift.yaml"), "source:\n  provider: local\n  prefix: nothing-here/\n  options:\n    store: missing.enc\n");
    const env = { SECRETS_FROM_PROVIDER: "local", SECRETS_FROM_PREFIX: "other/", SECRETS_FROM_PROVIDER_OPTION: `store=${join(cwd, "source.enc")}` };
    const r = await run(["validate", "local", "--json"], env);
    expect(names(r.stdout)).toEqual(["TOKEN<-local:other/TOKEN"]);
  });

  it("--from-provider on the command line replaces the file's sources:", async () => {
    await writeFile(join(cwd, "secretshift.yaml"), "sources: [.env]\n");
    const r = await run([
      "migrate",
      "local",
      "--from-provider",
      "local",
      "--from-prefix",
      "team/",
      "--from-provider-option",
      `store=${join(cwd, "source.enc")}`,
      "--dry-run",
      "--json",
    ]);
    expect(names(r.stdout)).toEqual(["API_KEY<-local:team/API_KEY"]);
  });

  it("refuses an unknown key in the source: block with its line", async () => {
    await writeFile(join(cwd, "secretshift.yaml"), "source:\n  provider: local\n  region: eu-west-1\n");
    const r = await run(["migrate", "local", "--dry-run"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("secretshift.yaml:3");
  });
});
