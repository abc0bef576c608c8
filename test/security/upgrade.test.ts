import { chmod, cp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { spawnSecrets } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

const FIXTURE = new URL("../../fixtures/security/v0.1-state/", import.meta.url);
const KEY = { SECRETS_ENCRYPTION_KEY: "fixture-key-for-the-0.1-upgrade-test-0123456789" };

/** A project holding the state secretshift 0.1 wrote (fixtures/security/v0.1-state). */
async function oldProject() {
  const cwd = await tmpdir();
  await cp(join(FIXTURE.pathname, ".env"), join(cwd, ".env"));
  await cp(join(FIXTURE.pathname, "state"), join(cwd, ".secrets"), { recursive: true });
  await chmod(join(cwd, ".secrets"), 0o700);
  const run = (...args: string[]) => spawnSecrets(args, cwd, KEY);
  return { cwd, run, state: (f: string) => join(cwd, ".secrets", f) };
}

describe("state written by secretshift 0.1", () => {
  it("is refused by live runs, reads and verify, each saying to run `secrets journal upgrade`", async () => {
    const p = await oldProject();
    for (const [args, code] of [
      [["rotate", "S", "--yes"], "STORE_UNSEALED"],
      [["get", "S"], "STORE_UNSEALED"],
      [["journal", "verify"], "JOURNAL_UNKEYED"],
    ] as const) {
      const r = await p.run(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(`error [${code}]`);
      expect(r.stderr).toContain("secrets journal upgrade");
    }
    // Reading the journal needs no key and still works.
    expect((await p.run("journal", "list")).stdout).toContain("rotate");
  });

  it("`journal upgrade` checks the old chain, signs it and seals the store; everything then works and verifies", async () => {
    const p = await oldProject();
    const before = (await readFile(p.state("journal.jsonl"), "utf8")).trim().split("\n");
    const up = await p.run("journal", "upgrade");
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain(`${before.length} line(s) checked against the 0.1 chain and signed`);
    expect(up.stdout).toContain("sealed as generation 1");
    const after = (await readFile(p.state("journal.jsonl"), "utf8")).trim().split("\n");
    // The same entries, in the same order, now each with a MAC.
    const strip = (l: string) => {
      const { mac: _m, prev: _p, ...e } = JSON.parse(l);
      return e;
    };
    expect(after.slice(0, before.length).map(strip)).toEqual(before.map(strip));
    const verify = await p.run("journal", "verify");
    expect(verify.code, verify.stdout).toBe(0);
    expect((await p.run("get", "S", "--with-previous")).code).toBe(0);
    expect((await p.run("rotate", "S", "--yes")).code).toBe(0);
    expect((await p.run("journal", "upgrade")).stdout).toContain("nothing to upgrade");
  });

  it("an edited 0.1 journal is not vouched for", async () => {
    const p = await oldProject();
    const text = await readFile(p.state("journal.jsonl"), "utf8");
    await writeFile(p.state("journal.jsonl"), text.replace('"command":"rotate"', '"command":"rotatX"'));
    const up = await p.run("journal", "upgrade");
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(/UPGRADE_REFUSED.*fails its own check/);
  });
});
