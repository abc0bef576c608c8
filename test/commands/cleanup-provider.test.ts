import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ProviderFactory } from "../../src/core/deps.js";
import { createProvider } from "../../src/providers/index.js";
import { runSecrets } from "../helpers/run-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

/** Every provider is served by a local store, so the test sees which one cleanup asked for without a vault server. */
function recording(): { asked: string[]; providers: ProviderFactory } {
  const asked: string[] = [];
  return { asked, providers: async (name, ctx) => (asked.push(name), createProvider("local", ctx)) };
}

async function migratedTo(provider: string) {
  const cwd = await tmpdir();
  await writeFile(join(cwd, ".env"), "A=1\n");
  expect((await runSecrets(["init"], { cwd })).code).toBe(0);
  const r = await runSecrets(["migrate", provider, ".env", "--yes"], { cwd, providers: recording().providers });
  expect(r.code, r.stderr).toBe(0);
  return cwd;
}

describe("cleanup finds its provider like rotate", () => {
  it("without an argument: where the last run went, by the journal", async () => {
    const cwd = await migratedTo("vault");
    const { asked, providers } = recording();
    const r = await runSecrets(["cleanup", "--dry-run"], { cwd, providers });
    expect(r.code, r.stderr).toBe(0);
    expect(asked).toEqual(["vault"]);
    expect(r.stderr).toContain("provider: vault (from the journal: the last run went there)");
  });

  it("SECRETS_PROVIDER comes before the journal; an argument before both", async () => {
    const cwd = await migratedTo("vault");
    const fromEnv = recording();
    expect((await runSecrets(["cleanup", "--dry-run"], { cwd, providers: fromEnv.providers, env: { SECRETS_PROVIDER: "aws" } })).code).toBe(0);
    expect(fromEnv.asked).toEqual(["aws"]);
    const fromArg = recording();
    expect((await runSecrets(["cleanup", "gcp", "--dry-run"], { cwd, providers: fromArg.providers, env: { SECRETS_PROVIDER: "aws" } })).code).toBe(0);
    expect(fromArg.asked).toEqual(["gcp"]);
  });

  it("secretshift.yaml's provider comes before the journal, as for rotate", async () => {
    const cwd = await migratedTo("vault");
    await writeFile(join(cwd, "secretshift.yaml"), "provider: gcp\n");
    const { asked, providers } = recording();
    const r = await runSecrets(["cleanup", "--dry-run"], { cwd, providers });
    expect(r.code, r.stderr).toBe(0);
    expect(asked).toEqual(["gcp"]);
    expect(r.stderr).toContain("provider: gcp (from secretshift.yaml)");
  });

  it("no journal: the default provider; an unknown name is one clear error", async () => {
    const cwd = await tmpdir();
    const r = await runSecrets(["cleanup", "--dry-run"], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("provider: local (from the default)");
    const bad = await runSecrets(["cleanup", "nope", "--dry-run"], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error \[UNKNOWN_PROVIDER\]/m);
  });
});
