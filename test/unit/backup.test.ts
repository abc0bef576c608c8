import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BackupFrames, BackupPriors, BackupWriter, listBackups, readBackup, removeBackup } from "../../src/core/backup.js";
import { deriveKey } from "../../src/core/crypto.js";
import { tmpdir } from "../helpers/tmpdir.js";

const key = deriveKey("k".repeat(40));
const CANARY = "CANARY-backup-3b1c";

async function backupWithTwoFrames(runId = "run-1") {
  const dir = await tmpdir();
  const writer = await BackupWriter.create(dir, runId, key);
  await writer.append({
    priors: [{ name: "A", existed: true, value: CANARY, version: "3" }],
    meta: { provider: "aws" },
  });
  await writer.append({
    // A later frame must not override the first, real pre-run state of A.
    priors: [
      { name: "A", existed: true, value: "written-by-run", version: "4" },
      { name: "B", existed: false },
    ],
    cells: [{ table: "users", column: "api_key", key: "id=7", value: CANARY }],
    meta: { complete: "true" },
  });
  return { dir, path: join(dir, "backups", `${runId}.enc`) };
}

describe("backup", () => {
  it("round-trips frames; the first prior per name wins", async () => {
    const { dir } = await backupWithTwoFrames();
    const backup = await readBackup(dir, "run-1", key);
    expect(backup.priors.get("A")).toEqual({ name: "A", existed: true, value: CANARY, version: "3" });
    expect(backup.priors.get("B")).toEqual({ name: "B", existed: false });
    expect(backup.cells).toEqual([{ table: "users", column: "api_key", key: "id=7", value: CANARY }]);
    expect(backup.meta).toEqual({ provider: "aws", complete: "true" });
    expect(backup.frames).toBe(2);
  });

  it("hands priors on as asked, first per name, reading frames only as far as the names asked need", async () => {
    const { dir, path } = await backupWithTwoFrames();
    const whole = await readBackup(dir, "run-1", key);
    const priors = new BackupPriors(() => BackupFrames.open(dir, "run-1", key));
    expect(await priors.of(["A"])).toEqual(new Map([["A", whole.priors.get("A")]]));
    expect(await priors.of(["B", "Z"])).toEqual(new Map([["B", whole.priors.get("B")]]));
    await priors.close();
    // A third frame, spoiled: names in the first frame come without reading it, a name past it meets the damage.
    await writeFile(path, `${await readFile(path, "utf8")}${(await readFile(path, "utf8")).split("\n")[0]}\n`);
    const lazy = new BackupPriors(() => BackupFrames.open(dir, "run-1", key));
    expect((await lazy.of(["A"])).get("A")).toMatchObject({ version: "3" });
    await expect(lazy.of(["Z"])).rejects.toMatchObject({ code: "DECRYPT_FAILED" });
    await lazy.close();
    await expect(readBackup(dir, "run-1", key, { priors: false })).rejects.toMatchObject({ code: "DECRYPT_FAILED" });
  });

  it("is private (dir 0700, file 0600) and holds no plaintext", async () => {
    const { dir, path } = await backupWithTwoFrames();
    expect((await stat(join(dir, "backups"))).mode & 0o777).toBe(0o700);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const bytes = await readFile(path);
    expect(bytes.includes(CANARY)).toBe(false);
    expect(bytes.includes("api_key")).toBe(false);
  });

  it("detects a tampered, reordered or moved frame, and the wrong key", async () => {
    const { dir, path } = await backupWithTwoFrames();
    const original = await readFile(path, "utf8");
    const [f1, f2] = original.trimEnd().split("\n");
    const attempts = [`${f2}\n${f1}\n`, original.replace(/\.(.)([^.]*)\n$/, (_, c: string, rest: string) => `.${c === "A" ? "B" : "A"}${rest}\n`)];
    for (const text of attempts) {
      await writeFile(path, text);
      await expect(readBackup(dir, "run-1", key)).rejects.toMatchObject({ code: "DECRYPT_FAILED" });
    }
    // A frame copied into another run's backup is bound to its run id.
    const other = await backupWithTwoFrames("run-2");
    await writeFile(other.path, original);
    await expect(readBackup(other.dir, "run-2", key)).rejects.toMatchObject({ code: "DECRYPT_FAILED" });
    await writeFile(path, original);
    const err = await readBackup(dir, "run-1", deriveKey("w".repeat(40))).catch((e) => e);
    expect(err).toMatchObject({ code: "DECRYPT_FAILED", exitCode: 2 });
    expect(err.message).not.toContain(CANARY);
  });

  it("skips an unterminated last frame left by a crash", async () => {
    const { dir, path } = await backupWithTwoFrames();
    await writeFile(path, `${await readFile(path, "utf8")}v1.partial`);
    expect((await readBackup(dir, "run-1", key)).frames).toBe(2);
  });

  it("reports a missing backup, rejects unsafe run ids, lists and removes", async () => {
    const { dir } = await backupWithTwoFrames();
    await expect(readBackup(dir, "nope", key)).rejects.toMatchObject({ code: "BACKUP_NOT_FOUND", exitCode: 2 });
    await expect(readBackup(dir, "../key", key)).rejects.toMatchObject({ code: "INVALID_RUN_ID" });
    await expect(BackupWriter.create(dir, "run-1", key)).rejects.toMatchObject({ code: "BACKUP_EXISTS" });
    expect((await listBackups(dir)).map((b) => b.runId)).toEqual(["run-1"]);
    expect(await removeBackup(dir, "run-1")).toBe(true);
    expect(await removeBackup(dir, "run-1")).toBe(false);
    expect(await listBackups(dir)).toEqual([]);
    expect(await listBackups(await tmpdir())).toEqual([]);
  });
});
