import { readdir } from "node:fs/promises";
import { join } from "node:path";

/** Every file under `dir`, recursively (none when it does not exist). */
export async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await allFiles(path)));
    else out.push(path);
  }
  return out;
}

/** `row/column` (as `expectedCells()` keys them) → the default secret name `businesses/row/column`. */
export const nameOf = (cell: string, table = "businesses") => `${table}/${cell}`;

/** A `snapshot()` reduced to name → value. */
export const valuesOf = (snapshot: Record<string, { value: string }>) => Object.fromEntries(Object.entries(snapshot).map(([name, s]) => [name, s.value]));
