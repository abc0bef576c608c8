import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BIN } from "./util.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
let compiled = false;

/**
 * The wire-level test servers are TypeScript under test/servers/. tsconfig.bench.json compiles
 * them (and only them) to dist-bench/ (git-ignored) the first time a benchmark asks for one, so
 * `npm run bench` needs nothing beyond the TypeScript compiler the project already has.
 */
export async function loadTestServer(name) {
  if (!compiled) {
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
    const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.bench.json"], { cwd: ROOT, stdio: "inherit" });
    if (r.status !== 0) throw new Error("compiling test/servers with tsconfig.bench.json failed");
    compiled = true;
  }
  return import(pathToFileURL(join(ROOT, "dist-bench", "test", "servers", `${name}.js`)).href);
}

/**
 * The built CLI as a child process. Asynchronous on purpose: the test server runs in this
 * process, and spawnSync would stop it from answering.
 */
export function runCli(args, { cwd, env = {} }) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: cwd, CI: "true", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: Number(process.hrtime.bigint() - start) / 1e6 }));
  });
}

/** A project dir after `secrets init`, whose .env holds `n` secrets. */
export async function projectWith(n, env) {
  const cwd = mkdtempSync(join(tmpdir(), "secretshift-bench-"));
  const lines = Array.from({ length: n }, (_, i) => `SECRET_${String(i).padStart(5, "0")}=value-${i}-${"x".repeat(32)}`);
  writeFileSync(join(cwd, ".env"), `${lines.join("\n")}\n`);
  const init = await runCli(["init"], { cwd, env });
  if (init.code !== 0) throw new Error(`init exited ${init.code}: ${init.stderr}`);
  return cwd;
}
