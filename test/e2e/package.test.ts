import { execFile } from "node:child_process";
import { readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { tmpdir } from "../helpers/tmpdir.js";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

it("npm pack → install the tarball in an empty folder → npx secrets / secretshift work", async () => {
  const work = await tmpdir();
  await run("npm", ["pack", "--pack-destination", work, "--silent"], { cwd: ROOT });
  const tarball = (await readdir(work)).find((f) => f.endsWith(".tgz")) as string;
  const size = (await stat(join(work, tarball))).size;
  console.log(`packed ${tarball}: ${(size / 1024).toFixed(1)} KiB`);
  // `files` keeps tests, fixtures and sources out of the tarball (the bundle split by command is ~400 KiB of it).
  expect(size).toBeLessThan(480 * 1024);
  const { stdout: listing } = await run("tar", ["-tzf", join(work, tarball)]);
  for (const file of ["cli", "shared", "load", "lib"]) expect(listing).toContain(`package/dist/bundle/${file}.cjs`);
  expect(listing).not.toContain("package/test/");
  expect(listing).not.toContain("package/src/");

  const app = join(work, "app");
  await run("mkdir", ["-p", app]);
  await writeFile(join(app, "package.json"), JSON.stringify({ name: "app", private: true }));
  // Install scripts are skipped: the optional native SQLite driver is not needed to start the CLI.
  await run("npm", ["install", join(work, tarball), "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], {
    cwd: app,
    timeout: 280_000,
  });
  const version = await run("npx", ["--no-install", "secrets", "--version"], { cwd: app });
  expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  const help = await run("npx", ["--no-install", "secretshift", "--help"], { cwd: app });
  expect(help.stdout).toContain("migrate");
  const providers = await run("npx", ["--no-install", "secrets", "providers", "--json"], { cwd: app, env: { ...process.env, CI: "true" } });
  expect(JSON.parse(providers.stdout).providers.length).toBeGreaterThan(3);
}, 300_000);
