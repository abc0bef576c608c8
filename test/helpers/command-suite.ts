import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDotenv } from "../../src/sources/dotenv.js";
import { failingOnWrite, snapshot, type Target, writeMark } from "./provider-snapshot.js";
import { parseJson, runSecrets } from "./run-cli.js";
import { allFiles, valuesOf } from "./state-files.js";
import { tmpdir } from "./tmpdir.js";

export interface SuiteHarness {
  readonly label: string;
  start(): Promise<Target & { stop(): Promise<void> }>;
}

let canaryCount = 0;
/** A value no legitimate output could contain by accident; tests grep every output for it. */
export const canary = (tag: string) => `CANARY${tag}${(canaryCount++).toString(36)}x9Qz7LmVt3Rk8WpN2`;

/**
 * The command behaviour every provider must share: migrate, re-run no-op, conflicts, dry-run,
 * validate drift, rollback of a complete and of a half-failed run, back-to-back runs, and the leak
 * canary. State is judged from the test server's own snapshot and write counter (the local store:
 * its file, decrypted by the test), never through the provider under test.
 */
export function commandSuite(harness: SuiteHarness): void {
  describe(`commands against ${harness.label}`, () => {
    let target: Target & { stop(): Promise<void> };
    let prefixSeq = 0;
    beforeAll(async () => {
      target = await harness.start();
    });
    afterAll(async () => target?.stop());

    /** A fresh project dir with `secrets init` done and a unique prefix so tests share one server. */
    async function project() {
      const cwd = await tmpdir();
      const prefix = `t${process.pid}x${prefixSeq++}/`;
      const run = (...args: string[]) => runSecrets([...args, ...target.args], { cwd, env: target.env });
      const withPrefix = (...args: string[]) => run(...args, "--prefix", prefix);
      expect((await run("init")).code).toBe(0);
      const writeEnv = (pairs: Record<string, string>) =>
        writeFile(join(cwd, ".env"), formatDotenv(Object.entries(pairs).map(([key, value]) => ({ key, value }))));
      const state = () => snapshot(target, cwd, prefix);
      const mark = () => writeMark(target, cwd);
      return { cwd, prefix, run, withPrefix, writeEnv, state, mark };
    }

    it("dry-run plans creates and writes nothing anywhere", async () => {
      const p = await project();
      await p.writeEnv({ API_KEY: "sk-live-0123456789abcdef", DB_PASSWORD: "pa$$word-that-is-long" });
      const before = await p.mark();
      const r = await p.withPrefix("migrate", target.provider, "--dry-run", "--json");
      expect(r.code).toBe(0);
      const doc = parseJson(r);
      expect(doc.dryRun).toBe(true);
      expect(doc.summary).toMatchObject({ create: 2, update: 0 });
      expect(await p.mark()).toBe(before);
      expect(await p.state()).toEqual({});
      expect(await readdir(join(p.cwd, ".secrets"))).not.toContain("journal.jsonl");
    });

    it("back to back, migrate → validate → re-run → rollback → migrate again are exact", async () => {
      const p = await project();
      const values = { FIRST: "first-value-0123456789", SECOND: "second-value-9876543210" };
      await p.writeEnv(values);
      const expected = Object.fromEntries(Object.entries(values).map(([k, v]) => [`${p.prefix}${k}`, v]));
      const first = await p.withPrefix("migrate", target.provider, "--yes", "--json");
      expect(first.code, first.stderr).toBe(0);
      const check = await p.withPrefix("validate", target.provider, "--json");
      expect(check.code, check.stdout).toBe(0);
      expect(parseJson(check).summary).toMatchObject({ "in-sync": 2 });
      const again = await p.withPrefix("migrate", target.provider, "--yes", "--json");
      expect(parseJson(again).summary).toMatchObject({ unchanged: 2, create: 0, failed: 0 });
      const back = await p.run("rollback", target.provider, "--last", "--yes", ...(target.rollbackFrees ?? []));
      expect(back.code, back.stderr).toBe(0);
      expect(await p.state()).toEqual({});
      const recreated = await p.withPrefix("migrate", target.provider, "--yes", "--json");
      expect(recreated.code, recreated.stdout + recreated.stderr).toBe(0);
      expect(parseJson(recreated).summary).toMatchObject({ create: 2, failed: 0 });
      expect(valuesOf(await p.state())).toEqual(expected);
      expect((await p.withPrefix("validate", target.provider)).code).toBe(0);
    });

    it("migrates, validates, and a re-run is a no-op", async () => {
      const p = await project();
      await p.writeEnv({ API_KEY: "sk-live-0123456789abcdef", DB_PASSWORD: "pa$$word-that-is-long", MULTI: "line one\nline two" });
      const first = await p.withPrefix("migrate", target.provider, "--yes", "--json");
      expect(first.code, first.stderr).toBe(0);
      expect(parseJson(first).summary).toMatchObject({ create: 3, failed: 0 });
      const state = await p.state();
      expect(valuesOf(state)).toEqual({
        [`${p.prefix}API_KEY`]: "sk-live-0123456789abcdef",
        [`${p.prefix}DB_PASSWORD`]: "pa$$word-that-is-long",
        [`${p.prefix}MULTI`]: "line one\nline two",
      });
      expect((await p.withPrefix("validate", target.provider)).code).toBe(0);
      const again = await p.withPrefix("migrate", target.provider, "--yes", "--json");
      expect(again.code).toBe(0);
      expect(parseJson(again).summary).toMatchObject({ create: 0, update: 0, unchanged: 3 });
      expect(await p.state()).toEqual(state);
    });

    it("a differing value is a conflict by default and nothing is written", async () => {
      const p = await project();
      await p.writeEnv({ A_KEY: "first-value-aaaaaaaaaaaa", B_KEY: "second-value-bbbbbbbbbb" });
      expect((await p.withPrefix("migrate", target.provider, "--yes")).code).toBe(0);
      const before = await p.state();
      const mark = await p.mark();
      await p.writeEnv({ A_KEY: "changed-value-cccccccccc", B_KEY: "second-value-bbbbbbbbbb", C_KEY: "new-value-dddddddddddddd" });
      const r = await p.withPrefix("migrate", target.provider, "--yes", "--json");
      expect(r.code).toBe(1);
      const doc = parseJson(r);
      expect(doc.summary).toMatchObject({ conflict: 1, create: 1 });
      expect(await p.mark()).toBe(mark);
      expect(await p.state()).toEqual(before);
      const drift = await p.withPrefix("validate", target.provider, "--json");
      expect(drift.code).toBe(1);
      expect(parseJson(drift).summary).toMatchObject({ different: 1, missing: 1 });
      const skip = await p.withPrefix("migrate", target.provider, "--yes", "--on-conflict", "skip", "--json");
      expect(parseJson(skip).summary).toMatchObject({ skip: 1, create: 1 });
      const over = await p.withPrefix("migrate", target.provider, "--yes", "--on-conflict", "overwrite", "--json");
      expect(over.code).toBe(0);
      expect(parseJson(over).summary).toMatchObject({ update: 1, unchanged: 2 });
      expect((await p.withPrefix("validate", target.provider)).code).toBe(0);
    });

    it("rollback --last undoes an update and then a create exactly", async () => {
      const p = await project();
      await p.writeEnv({ KEEP: "keep-value-0000000000000", CHANGE: "old-value-111111111111111" });
      expect((await p.withPrefix("migrate", target.provider, "--yes")).code).toBe(0);
      const afterFirst = await p.state();
      await p.writeEnv({ KEEP: "keep-value-0000000000000", CHANGE: "new-value-22222222222222", ADDED: "added-value-333333333333" });
      expect((await p.withPrefix("migrate", target.provider, "--yes", "--on-conflict", "overwrite")).code).toBe(0);
      const dry = await p.run("rollback", target.provider, "--last", "--dry-run", "--json");
      expect(parseJson(dry).summary).toMatchObject({ restore: 1, delete: 1 });
      expect((await p.state())[`${p.prefix}ADDED`]).toBeDefined();
      const back = await p.run("rollback", target.provider, "--last", "--yes", "--json");
      expect(back.code, back.stdout).toBe(0);
      expect(await p.state()).toEqual(afterFirst);
      const twice = await p.run("rollback", target.provider, "--last", "--yes", "--json");
      expect(twice.code).toBe(0);
      expect(await p.state()).toEqual(afterFirst);
      expect((await p.run("journal", "verify")).code).toBe(0);
    });

    it("a run that fails on its 3rd write exits 1 and rollback restores the state before it", async () => {
      const p = await project();
      await p.writeEnv({ K1: "value-one-aaaaaaaaaaaaaaa", K2: "value-two-bbbbbbbbbbbbbbb" });
      expect((await p.withPrefix("migrate", target.provider, "--yes")).code).toBe(0);
      const before = await p.state();
      await p.writeEnv({
        K1: "value-one-changed-aaaaaaa",
        K2: "value-two-changed-bbbbbbb",
        K3: "value-three-ccccccccccccc",
        K4: "value-four-dddddddddddddd",
        K5: "value-five-eeeeeeeeeeeeee",
      });
      const failing = await runSecrets(
        ["migrate", target.provider, "--yes", "--json", "--on-conflict", "overwrite", "--concurrency", "1", "--prefix", p.prefix, ...target.args],
        {
          cwd: p.cwd,
          env: target.env,
          providers: failingOnWrite(3),
        },
      );
      expect(failing.code).toBe(1);
      expect(parseJson(failing).summary).toMatchObject({ failed: 1 });
      expect(failing.stderr).toContain("secrets rollback");
      const back = await p.run("rollback", target.provider, "--last", "--yes");
      expect(back.code, back.stderr + back.stdout).toBe(0);
      expect(await p.state()).toEqual(before);
    });

    it("never prints or stores a canary value in plaintext", async () => {
      const p = await project();
      const values = { CANARY_A: canary("a"), CANARY_B: canary("b"), CANARY_SHORT: "c4n4ry!" };
      const overwrite = canary("c");
      await p.writeEnv(values);
      const outputs = [
        await p.withPrefix("migrate", target.provider, "--dry-run"),
        await p.withPrefix("migrate", target.provider, "--dry-run", "--json"),
        await p.withPrefix("migrate", target.provider, "--yes", "--verbose"),
        await p.withPrefix("validate", target.provider, "--json"),
      ];
      await p.writeEnv({ ...values, CANARY_A: overwrite });
      outputs.push(await p.withPrefix("migrate", target.provider, "--yes", "--json"));
      outputs.push(await p.withPrefix("validate", target.provider));
      outputs.push(await p.withPrefix("migrate", target.provider, "--yes", "--on-conflict", "overwrite"));
      expect((await p.state())[`${p.prefix}CANARY_A`]?.value).toBe(overwrite);
      outputs.push(await p.run("rollback", target.provider, "--last", "--yes", "--verbose"));
      outputs.push(await p.run("journal", "list"));
      outputs.push(await p.run("journal", "show", "nope"));
      // Every value the test wrote: the first ones, and the one that overwrote CANARY_A and was rolled back.
      const canaries = [...Object.values(values), overwrite];
      expect(canaries.every((c) => c.length >= 7)).toBe(true);
      const everything = [...outputs.flatMap((o) => [o.stdout, o.stderr])];
      for (const file of await allFiles(join(p.cwd, ".secrets"))) everything.push((await readFile(file)).toString("latin1"));
      for (const text of everything) for (const c of canaries) expect(text).not.toContain(c);
    });
  });
}
