import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import { type RunSummary, readJournal, runsOf } from "../../src/core/journal.js";
import { formatDotenv } from "../../src/sources/dotenv.js";
import { type Spawned, spawnSecrets } from "./spawn-cli.js";

/**
 * Environment that makes a spawned bin/secrets.js SIGKILL itself at `moment` (see kill-switch.mjs):
 * `append:<n>`, `intent:<n>`, `before-rename:<file>`, `after-rename:<file>`.
 */
export const killSwitch = (moment: string): Record<string, string> => ({
  NODE_OPTIONS: `--import=${new URL("./kill-switch.mjs", import.meta.url).href}`,
  SECRETSHIFT_TEST_KILL: moment,
});

/** The seed of this file's random choices: `CRASH_SEED` to replay a failure, else a fresh one, printed either way. */
export function crashSeed(file: string): number {
  const seed = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`${file}: seed ${seed} (replay with CRASH_SEED=${seed})`);
  return seed;
}

/** mulberry32: a small deterministic generator, so a seed replays the same kill moments. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` dotenv entries `<key>NNN=<tag>-NNN-…`, from `from` on. */
export const entries = (count: number, tag: string, from = 0, key = "k") =>
  Array.from({ length: count }, (_, i) => ({ key: `${key}${String(from + i).padStart(3, "0")}`, value: `${tag}-${from + i}-abcdefghijklmnopqrstuvwxyz` }));

export const writeEnv = (cwd: string, list: readonly { key: string; value: string }[]) => writeFile(join(cwd, ".env"), formatDotenv(list));

export async function lastRun(cwd: string): Promise<RunSummary | undefined> {
  return runsOf(await readJournal(join(cwd, ".secrets"))).at(-1);
}

/**
 * The run was killed, and after its first intent (so there was something in flight to be exact about):
 * the journal holds that intent and no end of the run.
 */
export async function expectKilledAfterFirstIntent(killed: Spawned, cwd: string, moment: string): Promise<RunSummary> {
  expect(killed.signal, `kill at ${moment}; stderr: ${killed.stderr}`).toBe("SIGKILL");
  const run = await lastRun(cwd);
  expect(run?.command, moment).toBe("migrate");
  expect(run?.counts.intent, `kill at ${moment}`).toBeGreaterThan(0);
  expect(run?.endedAt, `kill at ${moment}`).toBeUndefined();
  return run as RunSummary;
}

export { spawnSecrets };

/** A state with `value@version` entries reduced to values (a re-run writes versions of its own). */
export const valuesOnly = (state: Record<string, string>) =>
  Object.fromEntries(Object.entries(state).map(([name, v]) => [name, v.includes("@") ? v.slice(0, v.lastIndexOf("@")) : v]));
