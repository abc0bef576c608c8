import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startAwsHarness } from "../helpers/aws-harness.js";
import { runSecrets } from "../helpers/run-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";
import { startVaultHarness } from "../helpers/vault-harness.js";

async function project(env: Record<string, string>) {
  const cwd = await tmpdir();
  expect((await runSecrets(["init"], { cwd, env })).code).toBe(0);
  await writeFile(join(cwd, ".env"), "API_KEY=access-hint-value-0123456789\n");
  return cwd;
}

describe("an access error names the refused permission and the `secrets policy` line for the command", () => {
  it("aws: the IAM action the service refused, and `secrets policy aws --for validate`", async () => {
    const h = await startAwsHarness({ denied: ["ListSecrets"] });
    try {
      const cwd = await project(h.env);
      const r = await runSecrets(["validate", "aws", "--exact"], { cwd, env: h.env });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain("secretsmanager:ListSecrets");
      expect(r.stderr).toContain("every permission validate needs: secrets policy aws --for validate");
      expect(r.stderr).not.toContain("access-hint-value");
    } finally {
      await h.stop();
    }
  });

  it("vault: the capability and path Vault refused, and `secrets policy vault --for migrate`", async () => {
    const h = await startVaultHarness({ kvVersion: 2, deny: [{ path: "secret/data/*", capabilities: ["read"] }] });
    try {
      const cwd = await project(h.env);
      const r = await runSecrets(["migrate", "vault", "--yes", ...h.args], { cwd, env: h.env });
      expect(r.code, r.stderr).not.toBe(0);
      expect(r.stderr).toMatch(/capabilities = \["read"\] on path "secret\/data\/API_KEY"/);
      expect(r.stderr).toContain("secrets policy vault --for migrate");
    } finally {
      await h.stop();
    }
  });
});
