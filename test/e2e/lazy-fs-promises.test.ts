import { appendFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { localCurrentValues } from "../helpers/local-store-file.js";
import { loadedModules, moduleProbe } from "../helpers/module-probe.js";
import { spawnSecrets } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

const FS_PROMISES = "NativeModule fs/promises";

/** The built CLI, with Node's list of the built-in modules it loaded. */
async function run(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string; loaded: string[] }> {
  const list = join(cwd, `modules-${args.join("-")}.json`);
  const r = await spawnSecrets(args, cwd, { NODE_OPTIONS: await moduleProbe(cwd, list) });
  return { ...r, loaded: await loadedModules(list) };
}

describe("node:fs/promises loads on first use (scripts/lazy-fs-promises.mjs)", () => {
  it("validate local reads its small files without it; a live migrate uses it through the bundle's getters", async () => {
    const cwd = await tmpdir();
    await writeFile(join(cwd, ".env"), Array.from({ length: 20 }, (_, i) => `KEY_${i}=value-${i}\n`).join(""));
    expect((await spawnSecrets(["init"], cwd)).code).toBe(0);
    const first = await run(["migrate", "local", "--yes"], cwd);
    expect(first.code, first.stderr).toBe(0);
    // The probe sees the module when a run needs it: the store, backup and journal writes go through it.
    expect(first.loaded).toContain(FS_PROMISES);

    const validate = await run(["validate", "local"], cwd);
    expect(validate.code, validate.stderr).toBe(0);
    expect(validate.stdout).toBe("in sync: 20 in-sync\n");
    expect(validate.loaded).toContain("NativeModule fs");
    expect(validate.loaded).not.toContain(FS_PROMISES);
    expect(validate.loaded).not.toContain("NativeModule internal/readline/interface");

    // A change after it: the getters hand over the real functions, and the store's bytes hold every value.
    await appendFile(join(cwd, ".env"), "KEY_20=value-20\n");
    const second = await run(["migrate", "local", "--yes"], cwd);
    expect(second.code, second.stderr).toBe(0);
    const stored = await localCurrentValues(cwd, {});
    expect(stored.size).toBe(21);
    for (let i = 0; i <= 20; i++) expect(stored.get(`KEY_${i}`)?.value).toBe(`value-${i}`);
  });
});
