import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import { type Spawned, spawnSecrets } from "./spawn-cli.js";
import { tmpdir } from "./tmpdir.js";

export const ORIGINAL = "original-value-0123456789abcdef-CANARY";

/**
 * A project attacked from outside: `init`, a migrate and a rotation on the local store, all through
 * the built `bin/secrets.js`. `secrets` runs it there; `state(name)` is a path in its `.secrets/`.
 */
export async function attackProject(extraEnv: Record<string, string> = {}) {
  const cwd = await tmpdir();
  await writeFile(join(cwd, ".env"), `S=${ORIGINAL}\nOTHER=other-value-0123456789abcdef\n`);
  const secrets = (args: readonly string[], env: Record<string, string> = {}): Promise<Spawned> => spawnSecrets(args, cwd, { ...extraEnv, ...env });
  const ok = async (args: readonly string[]) => {
    const r = await secrets(args);
    expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    return r;
  };
  await ok(["init"]);
  await ok(["migrate", "local", "--yes"]);
  return { cwd, secrets, ok, state: (name: string) => join(cwd, ".secrets", name) };
}

export const lines = async (path: string) => (await readFile(path, "utf8")).split("\n").filter(Boolean);
