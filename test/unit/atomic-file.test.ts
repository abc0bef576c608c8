import { chmod, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appendDurable, ensurePrivateDir, writeFileAtomic } from "../../src/core/atomic-file.js";
import { tmpdir } from "../helpers/tmpdir.js";

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe("ensurePrivateDir", () => {
  it("creates nested dirs 0700 and tightens an existing wider one", async () => {
    const root = await tmpdir();
    const fresh = join(root, "a", "b");
    await ensurePrivateDir(fresh);
    expect(await modeOf(fresh)).toBe(0o700);
    const wide = join(root, "wide");
    await mkdir(wide);
    await chmod(wide, 0o755);
    await ensurePrivateDir(wide);
    expect(await modeOf(wide)).toBe(0o700);
  });
});

describe("writeFileAtomic", () => {
  it("writes with mode 0600 by default, replaces content, and leaves no temp files", async () => {
    const dir = await tmpdir();
    const path = join(dir, "store.enc");
    await writeFileAtomic(path, "one");
    await writeFileAtomic(path, Buffer.from("two"));
    expect(await readFile(path, "utf8")).toBe("two");
    expect(await modeOf(path)).toBe(0o600);
    await writeFileAtomic(join(dir, "pub"), "x", 0o644);
    expect(await modeOf(join(dir, "pub"))).toBe(0o644);
    expect((await readdir(dir)).sort()).toEqual(["pub", "store.enc"]);
  });

  it("removes its temp file and keeps the old content when the write fails", async () => {
    const dir = await tmpdir();
    const path = join(dir, "target");
    await writeFile(path, "old");
    // Renaming a file over a directory fails after the temp file is written.
    const blocked = join(dir, "blocked");
    await mkdir(blocked);
    await expect(writeFileAtomic(blocked, "new")).rejects.toThrow();
    await expect(writeFileAtomic(join(dir, "missing", "x"), "new")).rejects.toMatchObject({ code: "ENOENT" });
    expect((await readdir(dir)).sort()).toEqual(["blocked", "target"]);
    expect(await readFile(path, "utf8")).toBe("old");
  });
});

describe("appendDurable", () => {
  it("creates with 0600 and appends", async () => {
    const path = join(await tmpdir(), "log");
    await appendDurable(path, "a\n");
    await appendDurable(path, Buffer.from("b\n"));
    expect(await readFile(path, "utf8")).toBe("a\nb\n");
    expect(await modeOf(path)).toBe(0o600);
  });
});
