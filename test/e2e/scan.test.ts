import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { leaks, random, secretPart } from "../helpers/fake-secrets.js";
import { plantTree } from "../helpers/plant-tree.js";
import { sarifErrors } from "../helpers/sarif-schema.js";
import { spawnSecrets } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

const FIXTURE = fileURLToPath(new URL("../../fixtures/scan/tree", import.meta.url));

it("the built bin/secrets.js gates CI: SARIF the schema accepts and exit 1 on the fixture tree, exit 0 when clean, exit 2 on bad usage", async () => {
  const seed = Math.floor(Math.random() * 2 ** 31);
  const cwd = await tmpdir();
  const planted = await plantTree(FIXTURE, cwd, random(seed));

  const sarif = await spawnSecrets(["scan", "--format", "sarif"], cwd);
  expect(sarif.code, `${sarif.stderr} (seed ${seed})`).toBe(1);
  const document = JSON.parse(sarif.stdout) as { runs: { results: unknown[] }[] };
  expect(sarifErrors(document)).toEqual([]);
  expect(document.runs[0]?.results.length).toBe(32);

  const github = await spawnSecrets(["scan", "--format", "github", "--provider", "aws"], cwd);
  expect(github.code).toBe(1);
  expect(github.stdout).toMatch(
    /^::error file=\.env,line=4,col=19,endLine=4,endColumn=\d+,title=secret%3A stripe-secret-key::STRIPE_SECRET_KEY holds a plaintext secret: /m,
  );
  expect(github.stdout).toContain("Move it: secrets migrate aws --from .env --only STRIPE_SECRET_KEY");
  expect(
    leaks(
      sarif.stdout + sarif.stderr + github.stdout + github.stderr,
      planted.map((p) => secretPart(p.kind, p.value)),
    ),
  ).toEqual([]);

  const clean = await tmpdir();
  await writeFile(join(clean, "app.yaml"), `port: 8080\npassword: \${DB_PASSWORD}\n`);
  const ok = await spawnSecrets(["scan"], clean);
  expect([ok.code, ok.stdout, ok.stderr]).toEqual([0, "no plaintext secrets found · 1 file scanned\n", ""]);

  const usage = await spawnSecrets(["scan", "--db", "postgres://app:hunter2@localhost/app"], clean);
  expect([usage.code, usage.stdout]).toEqual([2, ""]);
  expect(usage.stderr).toBe("error [BAD_OPTION]: --db needs --table <name> or --all-tables\nhint: name the tables to scan, or let the catalog list them\n");
});
