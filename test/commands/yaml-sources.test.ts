import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { parseJson, runSecrets } from "../helpers/run-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

// A Compose-style file: an anchored block merged into a service, plus a list and a null that are no secrets.
const COMPOSE = [
  "x-db: &db",
  "  user: app",
  "  password: shared-pass",
  "services:",
  "  api:",
  "    <<: *db",
  "    password: api-pass",
  "    ports:",
  '      - "8080:80"',
  "    healthcheck: ~",
  "",
].join("\n");

async function project() {
  const cwd = await tmpdir();
  await writeFile(join(cwd, "compose.yaml"), COMPOSE);
  const run = (...args: string[]) => runSecrets([...args, "--from", "compose.yaml"], { cwd });
  expect((await runSecrets(["init"], { cwd })).code).toBe(0);
  const names = async () => {
    const r = await runSecrets(["validate", "local", "--from", "compose.yaml", "--exclude", "**/ports", "--exclude", "**/healthcheck", "--json"], { cwd });
    return parseJson(r) as { summary: Record<string, number> };
  };
  return { cwd, run, names };
}

it("a selected array or null is refused with its path and a hint naming --exclude; nothing is written", async () => {
  const p = await project();
  const r = await p.run("migrate", "local", "--prefix", "app/", "--yes");
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(
    "error [SOURCE_INVALID]: compose.yaml:8: key services/api/ports is an array; only strings, numbers and booleans can be secrets (and 1 more)",
  );
  expect(r.stderr).toContain("--exclude 'app/services/api/ports'");
  expect((await p.names()).summary).toMatchObject({ missing: 4, "in-sync": 0 });
});

it("--exclude leaves arrays and nulls out before they are judged, and merge keys are applied", async () => {
  const p = await project();
  const r = await p.run("migrate", "local", "--exclude", "**/ports", "--exclude", "**/healthcheck", "--yes", "--json");
  expect(r.code, r.stderr).toBe(0);
  const items = (parseJson(r) as { items: { name: string; source: string }[] }).items;
  expect(items.map((i) => [i.name, i.source])).toEqual([
    ["services/api/password", "compose.yaml:7"],
    ["services/api/user", "compose.yaml:2"],
    ["x-db/password", "compose.yaml:3"],
    ["x-db/user", "compose.yaml:2"],
  ]);
  const revealed = await runSecrets(["get", "services/api/user", "--provider", "local", "--reveal", "--json"], { cwd: p.cwd });
  expect(parseJson(revealed)).toMatchObject({ current: "app" });
  expect((await p.names()).summary).toMatchObject({ "in-sync": 4, missing: 0 });
});

it("--only picks the secrets it names; a null it also picks is still refused", async () => {
  const p = await project();
  const only = await p.run("migrate", "local", "--only", "services/api/pass*", "--yes", "--json");
  expect(only.code, only.stderr).toBe(0);
  expect(parseJson(only)).toMatchObject({ summary: { create: 1 } });
  const wide = await p.run("migrate", "local", "--only", "services/**", "--exclude", "**/ports", "--yes");
  expect(wide.code).toBe(2);
  expect(wide.stderr).toContain("compose.yaml:10: key services/api/healthcheck is null");
});
