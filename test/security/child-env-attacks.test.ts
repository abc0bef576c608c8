import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { spawnSecrets } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

/** Credentials a developer or CI job has in its environment while running secretshift. */
const CANARIES: Record<string, string> = {
  SECRETS_ENCRYPTION_KEY: "canary-data-key-0123456789-abcdefghijklmnop",
  SECRETS_DB: "postgres://app:canary-db-password@db.internal/app",
  DATABASE_URL: "postgres://app:canary-database-url@db.internal/app",
  PGPASSWORD: "canary-pgpassword",
  VAULT_TOKEN: "hvs.canary-vault-token",
  VAULT_SECRET_ID: "canary-vault-secret-id",
  AWS_ACCESS_KEY_ID: "AKIACANARYACCESSKEY",
  AWS_SECRET_ACCESS_KEY: "canary-aws-secret-access-key",
  AWS_SESSION_TOKEN: "canary-aws-session-token",
  GOOGLE_APPLICATION_CREDENTIALS: "/canary/gcp-credentials.json",
  AZURE_CLIENT_SECRET: "canary-azure-client-secret",
  KUBECONFIG: "/canary/kubeconfig",
};

async function project(config?: string) {
  const cwd = await tmpdir();
  await writeFile(join(cwd, ".env"), "S=original-value-0123456789abcdef\n");
  if (config) await writeFile(join(cwd, "secretshift.yaml"), config);
  const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSecrets(args, cwd, { ...CANARIES, LANG: "C.UTF-8", EXTRA_FOR_TEST: "passed-on", ...env });
  // SECRETS_DB would make migrate read a database; the rotations below carry it as a credential only.
  const migrated = await run(["migrate", "local", "--yes"], { SECRETS_DB: "" });
  expect(migrated.code, migrated.stderr).toBe(0);
  return { cwd, run, dump: async (file: string) => envOf(await readFile(join(cwd, file), "utf8")) };
}

const envOf = (text: string) =>
  new Map(
    text
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );

function expectMinimal(env: Map<string, string>, what: string): void {
  for (const [name, value] of Object.entries(CANARIES)) {
    expect(env.has(name), `${what} got ${name}`).toBe(false);
    expect([...env.values()].join("\n"), what).not.toContain(value);
  }
  expect(
    [...env.keys()].filter((k) => k.startsWith("SECRETS_")),
    what,
  ).toEqual([]);
  expect(env.get("PATH"), what).toBeTruthy();
  expect(env.get("HOME"), what).toBeTruthy();
  expect(env.get("LANG"), what).toBe("C.UTF-8");
}

describe("child processes get a minimal environment, never the tool's credentials", () => {
  it("`env > file` from --test-command: PATH, HOME, locale and SECRET_VALUE only", async () => {
    const p = await project();
    const r = await p.run(["rotate", "S", "--yes", "--test-command", "env > test-env.txt"]);
    expect(r.code, r.stderr).toBe(0);
    const env = await p.dump("test-env.txt");
    expectMinimal(env, "the test command");
    expect(env.get("SECRET_VALUE")?.length).toBeGreaterThan(40);
    expect(env.has("EXTRA_FOR_TEST")).toBe(false);
  });

  it("`env > file` from a command: generator set by a cloned repository's secretshift.yaml", async () => {
    const p = await project('generator: "command:env > gen-env.txt; echo new-generated-value-0123456789abcdef"\n');
    const r = await p.run(["rotate", "S", "--yes"]);
    expect(r.code, r.stderr).toBe(0);
    const env = await p.dump("gen-env.txt");
    expectMinimal(env, "the generator");
    expect(env.has("SECRET_VALUE")).toBe(false);
  });

  it("--pass-env (and SECRETS_PASS_ENV) add exactly the variables named; secretshift.yaml cannot", async () => {
    const p = await project();
    const flag = await p.run(["rotate", "S", "--yes", "--pass-env", "EXTRA_FOR_TEST", "--test-command", "env > a.txt"]);
    expect(flag.code, flag.stderr).toBe(0);
    expect((await p.dump("a.txt")).get("EXTRA_FOR_TEST")).toBe("passed-on");
    const twin = await p.run(["rotate", "S", "--yes", "--test-command", "env > b.txt"], { SECRETS_PASS_ENV: "EXTRA_FOR_TEST,PGPASSWORD" });
    expect(twin.code, twin.stderr).toBe(0);
    const b = await p.dump("b.txt");
    expect([b.get("EXTRA_FOR_TEST"), b.get("PGPASSWORD")]).toEqual(["passed-on", CANARIES.PGPASSWORD]);
    expect(b.has("VAULT_TOKEN")).toBe(false);
    const ours = await p.run(["rotate", "S", "--yes", "--pass-env", "SECRETS_ENCRYPTION_KEY", "--test-command", "env > c.txt"]);
    expect(ours.code).toBe(2);
    expect(ours.stderr).toContain("secretshift's own variables are never passed to commands");
    await writeFile(join(p.cwd, "secretshift.yaml"), "passEnv: [VAULT_TOKEN]\n");
    const fromFile = await p.run(["rotate", "S", "--yes", "--test-command", "env > d.txt"]);
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toMatch(/passEnv/);
  });
});
