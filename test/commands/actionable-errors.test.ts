import { chmod, mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { actionableFsError } from "../../src/core/fs-errors.js";
import { runSecrets } from "../helpers/run-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

const KEY = { SECRETS_ENCRYPTION_KEY: "k".repeat(40) };
const errorLines = (stderr: string) => stderr.split("\n").filter((l) => l.includes("error ["));

/**
 * A folder this process cannot create anything in. As a normal user a chmod-ed folder; root ignores
 * modes, so there /sys (which refuses new entries even to root) stands in when the kernel allows it.
 */
async function unwritableParent(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) {
    const dir = join(await tmpdir(), "read-only");
    await mkdir(dir);
    await chmod(dir, 0o500);
    return dir;
  }
  const probe = "/sys/secretshift-probe";
  const refused = await mkdir(probe).then(
    () => false,
    (e: NodeJS.ErrnoException) => ["EACCES", "EPERM", "EROFS"].includes(e.code ?? ""),
  );
  return refused ? "/sys/secretshift-test" : undefined;
}

const parent = await unwritableParent();

describe("filesystem errors name the path, the cause and a fix", () => {
  // Skipped only when running as root on a kernel without a read-only /sys: there is nothing root cannot write.
  it.skipIf(parent === undefined)("init and a live migrate in a folder that cannot be written: STATE_DIR_NOT_WRITABLE, exit 2", async () => {
    const cwd = await tmpdir();
    await writeFile(join(cwd, ".env"), "A=1\n");
    const stateDir = join(parent as string, ".secrets");
    for (const args of [
      ["init", "--state-dir", stateDir],
      ["migrate", "local", ".env", "--yes", "--state-dir", stateDir],
    ]) {
      const r = await runSecrets(args, { cwd, env: KEY });
      expect(r.code).toBe(2);
      expect(errorLines(r.stderr)).toEqual([
        expect.stringMatching(/^error \[STATE_DIR_NOT_WRITABLE\]: cannot write the state folder: .*(secretshift-test|read-only)/),
      ]);
      expect(r.stderr).toMatch(/hint: make .* writable by this user .* or point --state-dir/);
      expect(r.stderr).not.toContain("INTERNAL");
    }
  });

  it("export k8s --output into a missing folder: exit 2 naming the folder, nothing written", async () => {
    const cwd = await tmpdir();
    await writeFile(join(cwd, ".env"), "A=1\n");
    const r = await runSecrets(["export", "k8s", "--provider", "aws", "--output", "missing/dir/x.yaml"], { cwd });
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)).toEqual([
      `error [FOLDER_NOT_FOUND]: the folder ${join(cwd, "missing/dir")} does not exist (nor does ${join(cwd, "missing")})`,
    ]);
    expect(r.stderr).toContain(`hint: create it (mkdir -p ${join(cwd, "missing/dir")})`);
    expect(await readdir(cwd)).toEqual([".env"]);
  });

  it.skipIf(process.platform !== "linux")("a full disk (a real ENOSPC from /dev/full) is one clear line, exit 1", async () => {
    const real = await writeFile("/dev/full", "x").then(
      () => undefined,
      (e: unknown) => e,
    );
    const mapped = actionableFsError(real, "/somewhere/.secrets") as { code: string; message: string; exitCode: number; hint: string };
    expect(mapped).toMatchObject({ code: "DISK_FULL", exitCode: 1, message: "no space left on the disk (ENOSPC)" });
    expect(mapped.hint).toContain("run the same command again");
  });

  it("a real bug stays INTERNAL, exit 1, and says how to report it", async () => {
    const cwd = await tmpdir();
    await writeFile(join(cwd, ".env"), "A=1\n");
    const r = await runSecrets(["migrate", "local", ".env", "--dry-run"], {
      cwd,
      providers: async () => {
        throw new TypeError("boom is not a function");
      },
    });
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toEqual(["error [INTERNAL]: boom is not a function"]);
    expect(r.stderr).toMatch(/hint: this is a bug in secretshift: please report it .*--verbose/);
  });
});
