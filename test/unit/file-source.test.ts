// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about literal ${VAR} text in .env files
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import dotenv from "dotenv";
import { describe, expect, it } from "vitest";
import { FileSource, formatOf } from "../../src/sources/file-source.js";
import { createFileSources } from "../../src/sources/index.js";
import type { SecretSource, SourceBatch } from "../../src/sources/types.js";
import { tmpdir } from "../helpers/tmpdir.js";

async function readAll(source: SecretSource): Promise<SourceBatch[]> {
  const batches: SourceBatch[] = [];
  for await (const batch of source.read()) batches.push(batch);
  return batches;
}

async function project(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await tmpdir();
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

describe("FileSource", () => {
  it("picks the format from the extension", () => {
    expect(["a.json", "a.YAML", "a.yml", ".env", ".env.production", "secrets.txt"].map(formatOf)).toEqual([
      "json",
      "yaml",
      "yaml",
      "dotenv",
      "dotenv",
      "dotenv",
    ]);
  });

  it("reads one batch, relative to cwd, labelled with the path as given", async () => {
    const cwd = await project({ "config/.env": "A=1\nB='x y'\n", "config/s.yaml": "db:\n  password: p\n" });
    const [dotenv, yaml] = createFileSources(["config/.env", "config/s.yaml"], { cwd });
    expect(dotenv?.label).toBe("config/.env");
    expect(await readAll(dotenv as SecretSource)).toEqual([
      {
        entries: [
          { key: "A", value: "1", origin: { source: "config/.env", line: 1 } },
          { key: "B", value: "x y", origin: { source: "config/.env", line: 2 } },
        ],
        warnings: [],
      },
    ]);
    const [batch] = await readAll(yaml as SecretSource);
    expect(batch?.entries.map((entry) => [entry.key, entry.value])).toEqual([["db/password", "p"]]);
  });

  it("hands a large .env on in slices of 1,000: together exactly dotenv.parse's keys and values, in file order", async () => {
    const text = Array.from({ length: 2_345 }, (_, k) => `K${k}="v ${k}"\n${k % 7 === 1 ? `K${k - 1}=again-${k}\n` : ""}`).join("");
    const cwd = await project({ ".env": text });
    const batches = await readAll(new FileSource(".env", { cwd }));
    expect(batches.map((b) => b.entries.length)).toEqual([1000, 1000, 345]);
    expect(batches.map((b) => b.expected)).toEqual([2_345, undefined, undefined]);
    const entries = batches.flatMap((b) => b.entries);
    expect(Object.fromEntries(entries.map((e) => [e.key, e.value]))).toEqual(dotenv.parse(text));
    expect(entries.map((e) => e.key)).toEqual(Object.keys(dotenv.parse(text)));
  });

  it("reads the file again on every read()", async () => {
    const cwd = await project({ ".env": "A=1\n" });
    const source = new FileSource(".env", { cwd });
    expect((await readAll(source))[0]?.entries[0]?.value).toBe("1");
    await writeFile(join(cwd, ".env"), "A=2\n");
    expect((await readAll(source))[0]?.entries[0]?.value).toBe("2");
    await source.close();
  });

  it("passes expand and env to dotenv files only", async () => {
    const cwd = await project({ ".env": "A=${HOME_DIR}/x\n", "s.json": '{"a": "${HOME_DIR}"}' });
    const options = { cwd, expand: true, env: { HOME_DIR: "/home/me" } };
    expect((await readAll(new FileSource(".env", options)))[0]?.entries[0]?.value).toBe("/home/me/x");
    expect((await readAll(new FileSource("s.json", options)))[0]?.entries[0]?.value).toBe("${HOME_DIR}");
  });

  it("refuses a missing file with SOURCE_NOT_FOUND", async () => {
    const cwd = await project({});
    await expect(readAll(new FileSource("nope/.env", { cwd }))).rejects.toMatchObject({
      code: "SOURCE_NOT_FOUND",
      exitCode: 2,
      message: "nope/.env: no such file",
    });
  });

  it("refuses bytes that are not UTF-8 instead of guessing", async () => {
    const cwd = await project({ ".env": Buffer.from([0x41, 0x3d, 0xff, 0xfe, 0x0a]) });
    await expect(readAll(new FileSource(".env", { cwd }))).rejects.toMatchObject({ code: "SOURCE_INVALID", message: ".env: is not valid UTF-8" });
  });

  it("keeps warnings as warnings, unless strict", async () => {
    const cwd = await project({ ".env": 'A=1\nB="s3cr3t\nC=3\nA=4\n' });
    const [batch] = await readAll(new FileSource(".env", { cwd }));
    expect(batch?.entries.map((entry) => [entry.key, entry.value])).toEqual([
      ["A", "4"],
      ["B", '"s3cr3t'],
      ["C", "3"],
    ]);
    expect(batch?.warnings.map((warning) => warning.line)).toEqual([2, 4]);

    const strict = new FileSource(".env", { cwd, strict: true });
    const error = await readAll(strict).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "SOURCE_INVALID", exitCode: 2 });
    expect((error as Error).message).toBe(
      '.env:2: B: the opening " is never closed, so dotenv keeps it as part of the value; dotenv gives the app •••• (7 chars) (and 1 more)',
    );
  });
});
