import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import dotenv from "dotenv";
import { describe, expect, it } from "vitest";
import { localCurrentValues } from "../helpers/local-store-file.js";
import { parseJson, runSecrets } from "../helpers/run-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

/**
 * Past 100,000 lines a .env is read in pieces (src/sources/dotenv-stream.ts). Judged against
 * dotenv.parse of the file and the store file's own bytes: a quoted value spanning lines, a key set
 * again 100,000 lines later, a key dotenv drops and a line it ignores, spread through the file.
 */
describe("migrate of a .env past the size it is parsed whole at", () => {
  it("stores exactly what dotenv.parse gives, each key once, with the whole file's lines and warnings", async () => {
    const cwd = await tmpdir();
    const lines = Array.from({ length: 100_200 }, (_, i) => `KEY_${i}=value-${i}-0123456789`);
    lines[5] = "KEY_5=first";
    lines[40_000] = 'MULTI="one\nKEY_X=inside the quote\nthree"';
    lines[60_000] = "__proto__=dropped";
    lines[70_000] = "not an assignment";
    lines.push("KEY_5=last");
    const text = `${lines.join("\n")}\n`;
    await writeFile(join(cwd, ".env"), text);
    const app = dotenv.parse(await readFile(join(cwd, ".env")));
    const lastLine = 100_200 + 2 + 1;

    expect((await runSecrets(["init"], { cwd })).code).toBe(0);
    const run = await runSecrets(["migrate", "local", "--yes", "--json"], { cwd });
    expect(run.code, run.stderr).toBe(0);
    const out = parseJson(run);
    const items = out.items as { name: string; action: string; source: string }[];
    expect(items).toHaveLength(Object.keys(app).length);
    expect(new Set(items.map((i) => i.name)).size).toBe(items.length);
    expect(items.find((i) => i.name === "KEY_5")?.source).toBe(`.env:${lastLine}`);
    expect(items.find((i) => i.name === "MULTI")?.source).toBe(".env:40001");
    expect(items.find((i) => i.name === "KEY_X")).toBeUndefined();

    const stored = await localCurrentValues(cwd, {});
    expect(Object.fromEntries([...stored].map(([name, { value }]) => [name, value]))).toEqual(app);
    expect(stored.get("MULTI")?.value).toBe("one\nKEY_X=inside the quote\nthree");
    expect(stored.get("KEY_5")?.value).toBe("last");

    expect(run.stderr).toContain(`.env:${lastLine}: KEY_5: set on line 6 and again on line ${lastLine}`);
    expect(run.stderr).toContain(".env:60003: __proto__: dotenv never gives this name");
    expect(run.stderr).toContain(".env:70003: dotenv ignores this line");

    const again = await runSecrets(["migrate", "local", "--yes", "--json"], { cwd });
    expect(parseJson(again).summary).toMatchObject({ create: 0, update: 0, unchanged: items.length });
  });
});
