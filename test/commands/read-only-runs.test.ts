import { readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runSecrets } from "../helpers/run-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

const project = async (env = "A=1\nB=2\n") => {
  const cwd = await tmpdir();
  await writeFile(join(cwd, ".env"), env);
  return cwd;
};
const warnings = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("warning:"));

describe("dry runs and read-only commands create nothing", () => {
  it.each([
    [["migrate", "local", ".env", "--dry-run"], 0],
    [["validate", "local", ".env"], 1],
    [["get", "A"], 1],
    [["journal"], 0],
    [["config", "show"], 0],
    [["cleanup", "local", "--dry-run"], 0],
    [["rollback", "local", "--last", "--dry-run"], 2],
  ])("%j in a folder never initialised leaves only the .env (exit %i)", async (args, code) => {
    const cwd = await project();
    const r = await runSecrets(args, { cwd });
    expect(r.code, r.stderr).toBe(code);
    expect(await readdir(cwd)).toEqual([".env"]);
  });

  it("a dry run needs no key while there is nothing to decrypt", async () => {
    const cwd = await project();
    const r = await runSecrets(["migrate", "local", ".env", "--dry-run"], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/2 create/);
  });

  it("a dry run against an existing local store without its key: exit 2, NO_KEY, and a hint", async () => {
    const cwd = await project();
    expect((await runSecrets(["init"], { cwd })).code).toBe(0);
    expect((await runSecrets(["migrate", "local", ".env", "--yes"], { cwd })).code).toBe(0);
    await rm(join(cwd, ".secrets", "key"));
    const r = await runSecrets(["migrate", "local", ".env", "--dry-run"], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error \[NO_KEY\]: reading .*store\.enc needs the encryption key$/m);
    expect(r.stderr).toMatch(/^hint: set SECRETS_ENCRYPTION_KEY/m);
  });
});

describe("warnings with hints", () => {
  it("--only and --exclude that match nothing are named; still exit 0 with nothing to do", async () => {
    const cwd = await project();
    const r = await runSecrets(["migrate", "local", ".env", "--dry-run", "--only", "DB_*", "--only", "A", "--exclude", "Z*"], { cwd });
    expect(r.code).toBe(0);
    expect(warnings(r.stderr)).toEqual([
      "warning: --only 'DB_*' matched no secret name (names are matched after --prefix and --name-template; run without it to see them)",
      "warning: --exclude 'Z*' matched no secret name (names are matched after --prefix and --name-template; run without it to see them)",
    ]);
    const none = await runSecrets(["validate", "local", ".env", "--only", "NOPE"], { cwd });
    expect(none.code).toBe(0);
    expect(warnings(none.stderr)).toEqual([expect.stringContaining("--only 'NOPE' matched no secret name")]);
  });

  it("validate --state-dir at a folder that does not exist says so, and creates nothing", async () => {
    const cwd = await project();
    const r = await runSecrets(["validate", "local", ".env", "--state-dir", "elsewhere"], { cwd });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("2 missing");
    expect(warnings(r.stderr)).toEqual([expect.stringMatching(/^warning: the state folder .*elsewhere does not exist \(--state-dir\)/)]);
    expect(await readdir(cwd)).toEqual([".env"]);
  });

  it("a live migrate prints each source warning once", async () => {
    const cwd = await project("A=1\nA=2\nnot a line\n");
    expect((await runSecrets(["init"], { cwd })).code).toBe(0);
    const r = await runSecrets(["migrate", "local", ".env", "--yes"], { cwd });
    expect(r.code).toBe(0);
    expect(warnings(r.stderr)).toHaveLength(2);
  });

  it("on a terminal, an error clears the status line instead of being glued to it", async () => {
    const cwd = await tmpdir();
    await writeFile(join(cwd, "x.yaml"), "a: 1\nb: [1, 2]\n");
    const r = await runSecrets(["migrate", "local", "x.yaml", "--dry-run"], { cwd, tty: "stderr" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("planning against local…");
    expect(r.stderr).toMatch(/(^|\n)error \[SOURCE_INVALID\]/);
    expect(r.stderr).not.toMatch(/…error/);
  });
});
