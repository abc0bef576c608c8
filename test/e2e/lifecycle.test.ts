import { cp, stat } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { spawnSecrets } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

const FIXTURE = new URL("../../fixtures/e2e/project/", import.meta.url);

it("init → dry-run → migrate → validate → rollback → validate drifts, through the built binary", async () => {
  const cwd = await tmpdir();
  // The README's quick start runs in this fixture, so it may hold a `.secrets/` of its own: leave it out.
  await cp(FIXTURE, cwd, { recursive: true, filter: (src) => !src.includes("/.secrets") });
  const init = await spawnSecrets(["init"], cwd);
  expect(init.code, init.stderr).toBe(0);
  expect((await stat(join(cwd, ".secrets"))).mode & 0o777).toBe(0o700);
  expect((await stat(join(cwd, ".secrets", "key"))).mode & 0o777).toBe(0o600);

  const dry = await spawnSecrets(["migrate", "local", "--dry-run", "--json"], cwd);
  expect(dry.code, dry.stderr).toBe(0);
  const plan = JSON.parse(dry.stdout);
  expect(plan.summary.create).toBe(5);
  expect(plan.items.map((i: { action: string }) => i.action)).toEqual(Array(5).fill("create"));

  const noYes = await spawnSecrets(["migrate", "local"], cwd);
  expect(noYes.code).toBe(2);
  expect(noYes.stderr).toContain("--yes");

  const live = await spawnSecrets(["migrate", "local", "--yes"], cwd);
  expect(live.code, live.stderr).toBe(0);
  expect(live.stdout).toContain("5 create");
  expect(live.stderr).not.toMatch(/\u001b\[/);

  expect((await spawnSecrets(["validate", "local"], cwd)).code).toBe(0);
  const back = await spawnSecrets(["rollback", "local", "--last", "--yes"], cwd);
  expect(back.code, back.stderr).toBe(0);
  const drift = await spawnSecrets(["validate", "local", "--json"], cwd);
  expect(drift.code).toBe(1);
  expect(JSON.parse(drift.stdout).summary.missing).toBe(5);
  expect((await spawnSecrets(["journal", "verify"], cwd)).code).toBe(0);
});

it("bad input is one clear line and exit 2, never a stack trace", async () => {
  const cwd = await tmpdir();
  const missing = await spawnSecrets(["migrate", "local", "--from", "nope.env", "--dry-run"], cwd);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/^error \[SOURCE_NOT_FOUND\]: .*nope\.env/m);
  expect(missing.stderr).not.toMatch(/\n\s+at /);
  const unknown = await spawnSecrets(["migrate", "nowhere", "--dry-run"], cwd);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain("unknown provider");
  const flag = await spawnSecrets(["migrate", "local", "--bogus"], cwd);
  expect(flag.code).toBe(2);
});
