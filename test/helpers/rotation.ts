import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import { loadKey } from "../../src/core/crypto.js";
import type { ProviderFactory } from "../../src/core/deps.js";
import { readJournal, runsOf } from "../../src/core/journal.js";
import { createProvider } from "../../src/providers/index.js";
import { LocalStore } from "../../src/providers/local/store.js";
import type { RotationLabels } from "../../src/rotation/types.js";
import { formatDotenv } from "../../src/sources/dotenv.js";
import type { AppRead } from "./app-read.js";
import { type RunOptions, runSecrets } from "./run-cli.js";
import { tmpdir } from "./tmpdir.js";

/** A project with `init` done and `secrets` migrated to the local store. */
export async function rotationProject(secrets: Record<string, string>, cwd?: string) {
  const dir = cwd ?? (await tmpdir());
  const run = (args: readonly string[], options: Omit<RunOptions, "cwd"> = {}) => runSecrets(args, { cwd: dir, ...options });
  await writeFile(join(dir, ".env"), formatDotenv(Object.entries(secrets).map(([key, value]) => ({ key, value }))));
  expect((await run(["init"])).code).toBe(0);
  expect((await run(["migrate", "local", "--yes"])).code).toBe(0);
  return {
    cwd: dir,
    run,
    labels: (name: string) => readLocalLabels(dir, name),
    read: (name: string) => localRead(dir, name),
    runs: async () => runsOf(await readJournal(join(dir, ".secrets"))),
  };
}

/** The local store's only reader takes the `current` label, as `get` and `validate` do: a missing one is a 404. */
export async function localRead(cwd: string, name: string): Promise<AppRead> {
  const value = (await readLocalLabels(cwd, name))?.current.value;
  return value === undefined ? { status: 404 } : { status: 200, value };
}

export async function readLocalLabels(cwd: string, name: string, stateDir = ".secrets"): Promise<RotationLabels | undefined> {
  const dir = join(cwd, stateDir);
  const store = new LocalStore(join(dir, "store.enc"), await loadKey({ env: {}, stateDir: dir }), () => new Date());
  return store.rotation.readLabels(name);
}

type Method = "putPending" | "promote" | "discardPending" | "readLabels";
const ROTATION = ["readLabels", "putPending", "promote", "discardPending", "dropPrevious", "listGrace"];
const GUARDED = [...ROTATION, "readMany", "write", "flush"];

/**
 * A store that fails at `method`: `throw-before` fails that one call; `die-before`/`die-after`
 * simulate the process dying just before/after the call took effect (every later call fails too,
 * so nothing can be cleaned up, as after a kill).
 */
export function faultyStore(method: Method, mode: "throw-before" | "die-before" | "die-after"): ProviderFactory {
  return async (name, ctx) => {
    const store = await createProvider(name, ctx);
    let dead = false;
    for (const m of GUARDED) {
      const owner = ROTATION.includes(m) ? store.rotation : store;
      const target = owner as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      const original = target[m]?.bind(owner);
      if (!original) continue;
      target[m] = async (...args: unknown[]) => {
        if (dead) throw new Error("store unreachable (simulated crash)");
        if (m === method && mode !== "die-after") {
          dead = mode === "die-before";
          throw new Error(`injected failure in ${m}`);
        }
        const result = await original(...args);
        if (m === method && mode === "die-after") {
          dead = true;
          throw new Error(`connection lost after ${m}`);
        }
        return result;
      };
    }
    return store;
  };
}
