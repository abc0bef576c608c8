import { execFileSync } from "node:child_process";
import { chmod, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Script } from "node:vm";
import { describe, expect, it } from "vitest";
import { codeCacheDir, openCodeCache } from "../../src/startup/code-cache.js";
import { tmpdir } from "../helpers/tmpdir.js";

// A script whose functions compile lazily, as a bundle's do.
const SOURCE = "(function () { function twice(x) { return 2 * x; } return twice(21); })";
const FILE = { name: "cli", identity: "0123abcd 94 1700000000000" };

/** Compiles and runs SOURCE the way load-bundle.ts does; returns the script and what it computed. */
function run() {
  const script = new Script(SOURCE, { filename: "/bundle/cli.cjs" });
  return { script, value: (script.runInThisContext() as () => number)() };
}

/**
 * The same in a new process with `data` as the cache: V8 keeps each source it compiled in memory,
 * and would not look at a cache for SOURCE again in this one.
 */
async function runElsewhere(data: Buffer | undefined) {
  const file = join(await tmpdir(), "data.bin");
  await writeFile(file, data ?? Buffer.alloc(0));
  const code = `const s = new (require("node:vm").Script)(${JSON.stringify(SOURCE)}, { filename: "/bundle/cli.cjs", cachedData: require("node:fs").readFileSync(${JSON.stringify(file)}) });
    console.log(JSON.stringify({ rejected: s.cachedDataRejected, value: s.runInThisContext()() }));`;
  return JSON.parse(execFileSync(process.execPath, ["-e", code], { encoding: "utf8" })) as { rejected: boolean; value: number };
}

async function written(dir: string) {
  const cache = openCodeCache(dir);
  cache.keep(FILE, run().script);
  cache.write();
  return readFile(join(dir, "cli.bin"));
}

describe("the code cache of the bundle's files", () => {
  it("writes V8's data behind a header naming the file's identity, in a 0700 folder, and V8 accepts it", async () => {
    const dir = join(await tmpdir(), "cache", "v8");
    const bytes = await written(dir);
    expect(bytes.toString("latin1", 0, bytes.indexOf(10) + 1)).toBe(`secretshift code cache 1 ${FILE.identity}\n`);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, "cli.bin"))).mode & 0o777).toBe(0o600);
    const data = openCodeCache(dir).read(FILE);
    expect(data?.length).toBe(bytes.length - bytes.indexOf(10) - 1);
    expect(await runElsewhere(data)).toEqual({ rejected: false, value: 42 });
  });

  it("is not used for another build, size or mtime of the file", async () => {
    const dir = join(await tmpdir(), "v8");
    await written(dir);
    for (const identity of ["ffff0000 94 1700000000000", "0123abcd 95 1700000000000", "0123abcd 94 1700000000001"]) {
      expect(openCodeCache(dir).read({ name: "cli", identity })).toBeUndefined();
    }
  });

  it("a damaged cache is refused by V8 and the code still runs as written", async () => {
    const dir = join(await tmpdir(), "v8");
    const bytes = await written(dir);
    const body = bytes.indexOf(10) + 1;
    await writeFile(join(dir, "cli.bin"), Buffer.concat([bytes.subarray(0, body), Buffer.alloc(bytes.length - body, 0x5a)]));
    expect(await runElsewhere(openCodeCache(dir).read(FILE))).toEqual({ rejected: true, value: 42 });
  });

  it.skipIf(process.getuid === undefined)("is neither read nor written in a folder others may write", async () => {
    const dir = join(await tmpdir(), "v8");
    await written(dir);
    await chmod(dir, 0o777);
    expect(openCodeCache(dir).read(FILE)).toBeUndefined();
    const before = await readFile(join(dir, "cli.bin"));
    const cache = openCodeCache(dir);
    cache.keep({ name: "cli", identity: "other 1 1" }, run().script);
    cache.write();
    expect(await readFile(join(dir, "cli.bin"))).toEqual(before);
  });

  it("where it cannot be written, nothing is thrown and nothing is read", async () => {
    const blocker = join(await tmpdir(), "a-file");
    await writeFile(blocker, "not a folder");
    const cache = openCodeCache(join(blocker, "v8"));
    cache.keep(FILE, run().script);
    expect(() => cache.write()).not.toThrow();
    expect(cache.read(FILE)).toBeUndefined();
  });

  it("lives under XDG_CACHE_HOME when set, else in the temp folder; NODE_DISABLE_COMPILE_CACHE turns it off", () => {
    expect(codeCacheDir({ XDG_CACHE_HOME: "/home/u/.cache" })).toBe(`/home/u/.cache/secretshift/${process.versions.v8}-${process.arch}`);
    expect(codeCacheDir({})).toMatch(new RegExp(`secretshift-code-cache(-\\d+)?/${process.versions.v8}-${process.arch}$`));
    expect(codeCacheDir({ NODE_DISABLE_COMPILE_CACHE: "1", XDG_CACHE_HOME: "/x" })).toBeUndefined();
  });
});
