import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { spawnSecrets } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

const HEADER_END = 10;

async function caches(dir: string): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  for (const sub of await readdir(dir).catch(() => [])) {
    for (const name of await readdir(join(dir, sub))) found.set(join(sub, name), await readFile(join(dir, sub, name)));
  }
  return found;
}

it("the built CLI keeps V8's code per bundle file; a damaged cache changes nothing but is rewritten", async () => {
  const cwd = await tmpdir();
  const env = { XDG_CACHE_HOME: join(cwd, "xdg") };
  const dir = join(cwd, "xdg", "secretshift");
  const first = await spawnSecrets(["providers", "--json"], cwd, env);
  expect(first.code).toBe(0);
  const written = await caches(dir);
  expect([...written.keys()].map((k) => k.replace(/^.*\//, "")).sort()).toContain("cli.providers.bin");
  for (const bytes of written.values())
    expect(bytes.toString("latin1", 0, bytes.indexOf(HEADER_END))).toMatch(/^secretshift code cache 1 [0-9a-f]{16} \d+ [\d.]+$/);

  // A valid cache is used as it is, not written again.
  const second = await spawnSecrets(["providers", "--json"], cwd, env);
  expect(second).toEqual(first);
  expect(await caches(dir)).toEqual(written);

  // Another command keeps its own cache of the same files, and leaves this one's as it was.
  const other = await spawnSecrets(["config", "show"], cwd, env);
  expect(other.code, other.stderr).toBe(0);
  const both = await caches(dir);
  expect([...both.keys()].map((k) => k.replace(/^.*\//, ""))).toContain("cli.config.bin");
  for (const [name, bytes] of written) expect(both.get(name)).toEqual(bytes);

  for (const [name, bytes] of written) {
    const body = bytes.indexOf(HEADER_END) + 1;
    await writeFile(join(dir, name), Buffer.concat([bytes.subarray(0, body), Buffer.alloc(bytes.length - body, 0x5a)]));
  }
  const damaged = await spawnSecrets(["providers", "--json"], cwd, env);
  expect(damaged).toEqual(first);
  for (const [name, bytes] of await caches(dir)) expect(bytes.subarray(-64), name).not.toEqual(Buffer.alloc(64, 0x5a));
});

it("NODE_DISABLE_COMPILE_CACHE: no cache is read or written", async () => {
  const cwd = await tmpdir();
  const run = await spawnSecrets(["providers", "--json"], cwd, { XDG_CACHE_HOME: join(cwd, "xdg"), NODE_DISABLE_COMPILE_CACHE: "1" });
  expect(run.code).toBe(0);
  expect(await caches(join(cwd, "xdg", "secretshift"))).toEqual(new Map());
});
