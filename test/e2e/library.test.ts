// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the ${secret:…} syntax is what these files hold
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { spawnSecrets } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

const run = promisify(execFile);
const sha = (v: string) => createHash("sha256").update(v).digest("hex");
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

// Records every module an application loads, so the test can tell which SDKs the library pulled in.
const HOOKS = `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(process.env.LOADED_LOG, r.url + "\\n");
  return r;
}`;
const REGISTER = `import { register } from "node:module"; register("./hooks.mjs", import.meta.url);`;
const APP = `import { loadEnv, resolveReferences } from "secretshift";
import { createHash } from "node:crypto";
const sha = (v) => createHash("sha256").update(v).digest("hex");
const values = await loadEnv({ path: ".env", assign: true });
const direct = await resolveReferences({ X: "a-\${secret:TOKEN}-\${env:OUTSIDE}" });
console.log(JSON.stringify({ token: sha(values.TOKEN_URL), assigned: sha(process.env.TOKEN_URL), direct: sha(direct.X), plain: values.PLAIN }));`;

it('import { loadEnv, resolveReferences } from "secretshift" resolves references and loads no SDK it does not need', async () => {
  const cwd = await tmpdir();
  await mkdir(join(cwd, "node_modules"));
  await symlink(ROOT, join(cwd, "node_modules", "secretshift"));
  expect((await spawnSecrets(["init"], cwd)).code).toBe(0);
  const token = `canary-${Date.now()}`;
  await writeFile(join(cwd, ".env"), `TOKEN=${token}\n`);
  expect((await spawnSecrets(["migrate", "local", "--yes"], cwd)).code).toBe(0);
  await writeFile(join(cwd, ".env"), "TOKEN_URL=https://x/${secret:TOKEN}\nPLAIN=hello\n");
  await writeFile(join(cwd, "hooks.mjs"), HOOKS);
  await writeFile(join(cwd, "register.mjs"), REGISTER);
  await writeFile(join(cwd, "app.mjs"), APP);
  const log = join(cwd, "loaded.log");
  const { stdout } = await run(process.execPath, ["--import", "./register.mjs", "app.mjs"], {
    cwd,
    env: { PATH: process.env.PATH, HOME: cwd, LOADED_LOG: log, OUTSIDE: "o" },
  });
  expect(JSON.parse(stdout)).toEqual({ token: sha(`https://x/${token}`), assigned: sha(`https://x/${token}`), direct: sha(`a-${token}-o`), plain: "hello" });
  const loaded = await readFile(log, "utf8");
  expect(loaded).toContain("/dist/bundle/lib.cjs");
  expect(loaded).not.toMatch(/@aws-sdk|node-vault|@google-cloud|@azure|@kubernetes|commander|@inquirer/);
});
