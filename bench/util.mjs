import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../bin/secrets.js", import.meta.url));

/**
 * The environment every measured child gets. NODE_EXTRA_CA_CERTS is dropped: loading an extra CA
 * bundle adds tens of milliseconds to every Node start, which would flatter each ratio to `node -e 0`,
 * and users' machines rarely set it.
 */
export function benchEnv(extra = {}) {
  const env = { ...process.env, CI: "true", ...extra };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

/** Median wall time of `runs` spawns of node with these arguments, in milliseconds. */
export function timeSpawn(args, { runs = 15, cwd = process.cwd(), env = {} } = {}) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd, env: benchEnv(env), stdio: ["ignore", "pipe", "pipe"] });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export const fmt = (ms) => `${ms.toFixed(1)} ms`;

const PEAK_RSS = fileURLToPath(new URL("./peak-rss.cjs", import.meta.url));
export const GOAL_MIB = 256;

/** Wall time and peak RSS of one `secrets` run in `cwd`. */
export function timedRun(args, cwd) {
  const rssFile = join(cwd, ".peak-rss");
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["--require", PEAK_RSS, BIN, ...args], {
    cwd,
    env: benchEnv({ BENCH_PEAK_RSS_FILE: rssFile }),
    stdio: ["ignore", "ignore", "pipe"],
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return { ms, rssMiB: Number(readFileSync(rssFile, "utf8")) / 1024 };
}

export const peakOf = (r) => `peak ${r.rssMiB.toFixed(0)} MiB (goal ≤ ${GOAL_MIB}${r.rssMiB > GOAL_MIB ? ": not met" : ""})`;
