import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { localState } from "../helpers/crash-targets.js";
import { runSecrets } from "../helpers/run-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

async function project(): Promise<string> {
  const cwd = await tmpdir();
  expect((await runSecrets(["init"], { cwd })).code).toBe(0);
  await writeFile(join(cwd, ".env"), "DB_PASSWORD=one\nDB_USER=two\nAPI_KEY=three\n");
  expect((await runSecrets(["migrate", "local", "--yes"], { cwd })).code).toBe(0);
  return cwd;
}

const versions = (state: Record<string, string>) => Object.fromEntries(Object.entries(state).map(([k, v]) => [k, v.split("@").pop()]));

describe("rotate --all / --only", () => {
  it("--dry-run lists the matching secrets and writes nothing", async () => {
    const cwd = await project();
    const before = await localState(cwd);
    const r = await runSecrets(["rotate", "--only", "DB_*", "--exclude", "DB_USER", "--dry-run"], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("would rotate DB_PASSWORD\n");
    expect(await localState(cwd)).toEqual(before);
  });

  it("rotates each in turn, isolates a failure, lists it and exits 1", async () => {
    const cwd = await project();
    const before = await localState(cwd);
    // The second test run fails: that secret keeps its value, the others rotate.
    const test = `n=$(cat ${join(cwd, "count")} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${join(cwd, "count")}; [ $n -ne 2 ]`;
    const r = await runSecrets(["rotate", "--all", "--yes", "--test-command", test], { cwd });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain("rotated 2 of 3 secret(s) on local; failed: DB_PASSWORD");
    const after = await localState(cwd);
    expect(after.DB_PASSWORD).toBe(before.DB_PASSWORD);
    for (const name of ["API_KEY", "DB_USER"]) expect(versions(after)[name]).not.toBe(versions(before)[name]);
  });

  it("refuses a name together with --all", async () => {
    const cwd = await project();
    const r = await runSecrets(["rotate", "API_KEY", "--all", "--yes"], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("ROTATE_TARGET");
  });
});
