import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * NODE_OPTIONS that make a spawned CLI write Node's own list of the built-in modules it loaded
 * (`process.moduleLoadList`) to `list` as it exits; `loadedModules` reads it back.
 */
export async function moduleProbe(dir: string, list: string): Promise<string> {
  const probe = join(dir, "probe.cjs");
  await writeFile(probe, `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(list)}, JSON.stringify(process.moduleLoadList)));\n`);
  return `--require ${probe}`;
}

export async function loadedModules(list: string): Promise<string[]> {
  return JSON.parse(await readFile(list, "utf8")) as string[];
}
