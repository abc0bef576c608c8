import { copyFile, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readJournal } from "../../src/core/journal.js";
import { canary } from "../helpers/command-suite.js";
import { expectOldUntilPromoted, watchReads } from "../helpers/read-watch.js";
import { faultyStore, readLocalLabels, rotationProject } from "../helpers/rotation.js";
import { parseJson } from "../helpers/run-cli.js";

const ORIGINAL = "initial-value-0123456789abcdefghij";
const rotateArgs = ["rotate", "jwt-secret", "--grace-period=2h", "--yes"];

describe("rotate", () => {
  it("`rotate jwt-secret --grace-period=2h --yes` after `migrate local` rotates it in the local store", async () => {
    const p = await rotationProject({ "jwt-secret": ORIGINAL });
    const now = new Date("2026-03-01T10:00:00Z");
    const r = await p.run(rotateArgs, { now: () => now });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("provider: local (from the journal: jwt-secret was last migrated there)");
    const labels = await p.labels("jwt-secret");
    expect(labels).toMatchObject({ current: { version: "2" }, previous: { version: "1", value: ORIGINAL }, graceUntil: new Date("2026-03-01T12:00:00Z") });
    expect(Buffer.from(labels?.current.value ?? "", "base64")).toHaveLength(48);
    expect(labels?.pending).toBeUndefined();
    const runs = await p.runs();
    expect(runs.at(-1)).toMatchObject({ command: "rotate", provider: "local", status: "ok", counts: { intent: 4, done: 4, failed: 0, pending: 0 } });
  });

  it("says which provider it chose and why", async () => {
    const p = await rotationProject({ S: ORIGINAL });
    expect((await p.run(["rotate", "S", "--provider", "local", "--yes"])).stderr).toContain("provider: local (from --provider)");
    const bad = await p.run(["rotate", "S", "--yes"], { env: { SECRETS_PROVIDER: "nope" } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("SECRETS_PROVIDER");
    const fresh = await rotationProject({ OTHER: ORIGINAL });
    expect((await fresh.run(["get", "S"])).stderr).toContain("provider: local (from the default)");
  });

  it("--dry-run shows the plan and writes nothing", async () => {
    const p = await rotationProject({ S: ORIGINAL });
    const before = await p.runs();
    const r = await p.run(["rotate", "S", "--dry-run", "--json"]);
    expect(parseJson(r)).toMatchObject({ command: "rotate", dryRun: true, action: "fresh", generator: "base64:48", currentVersion: "1" });
    expect(await p.runs()).toEqual(before);
    expect((await p.labels("S"))?.current.value).toBe(ORIGINAL);
  });

  describe("a failing step leaves current readable and unchanged and no pending version", () => {
    const cases: [string, string[], Parameters<typeof faultyStore> | undefined, string][] = [
      ["generator error", ["--generator", "command:exit 1"], undefined, "GENERATOR_FAILED"],
      ["test command exit 1", ["--test-command", "exit 1"], undefined, "step test: the test command exited with code 1"],
      ["store error on create-pending", [], ["putPending", "throw-before"], "step create-pending"],
      ["store error on promote", [], ["promote", "throw-before"], "step promote: injected failure in promote"],
    ];
    it.each(cases)("%s", async (_label, extra, fault, message) => {
      const p = await rotationProject({ S: ORIGINAL });
      const watch = watchReads(() => p.read("S"), fault ? faultyStore(...fault) : undefined);
      const r = await p.run(["rotate", "S", "--yes", ...extra], { providers: watch.factory });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(message);
      expectOldUntilPromoted(watch.seen, ORIGINAL, undefined);
      expect(await p.read("S")).toEqual({ status: 200, value: ORIGINAL });
      const labels = await p.labels("S");
      expect(labels).toMatchObject({ current: { version: "1", value: ORIGINAL } });
      expect(labels?.pending).toBeUndefined();
      // and the next rotation just works
      expect((await p.run(["rotate", "S", "--yes"])).code).toBe(0);
      expect((await p.labels("S"))?.previous?.value).toBe(ORIGINAL);
    });
  });

  describe("stopped at any step boundary, the same command again completes exactly one rotation", () => {
    const stops: [string, Parameters<typeof faultyStore>][] = [
      ["before create-pending", ["putPending", "die-before"]],
      ["after create-pending", ["putPending", "die-after"]],
      ["after set and test, before promote", ["promote", "die-before"]],
      ["after promote, before the run ended", ["promote", "die-after"]],
    ];
    it.each(stops)("%s", async (_label, fault) => {
      const p = await rotationProject({ S: ORIGINAL });
      const crash = watchReads(() => p.read("S"), faultyStore(...fault));
      const crashed = await p.run(["rotate", "S", "--yes", "--test-command", "true"], { providers: crash.factory });
      expect(crashed.code).not.toBe(0);
      const promoted = fault[0] === "promote" && fault[1] === "die-after";
      expect((await p.labels("S"))?.current.version).toBe(promoted ? "2" : "1");
      const resume = watchReads(() => p.read("S"));
      const again = await p.run(["rotate", "S", "--yes", "--test-command", "true"], { providers: resume.factory });
      expect(again.code, again.stderr).toBe(0);
      const labels = await p.labels("S");
      // Whatever was pending is what became current: no read saw it before its promotion, none saw a 404.
      expectOldUntilPromoted([...crash.seen, ...resume.seen], ORIGINAL, labels?.current.value);
      expect(labels).toMatchObject({ current: { version: "2" }, previous: { version: "1", value: ORIGINAL } });
      expect(labels?.pending).toBeUndefined();
      const rotates = (await p.runs()).filter((r) => r.command === "rotate");
      expect(rotates.filter((r) => r.status === "ok")).toHaveLength(1);
    });
  });

  it("--abort abandons a rotation left half-way; a pending version from elsewhere blocks until aborted", async () => {
    const p = await rotationProject({ S: ORIGINAL });
    await p.run(["rotate", "S", "--yes"], { providers: faultyStore("promote", "die-before") });
    expect((await p.labels("S"))?.pending).toBeDefined();
    // A second state folder sharing the store did not start that rotation: it must not take it over.
    await mkdir(join(p.cwd, "other"));
    await copyFile(join(p.cwd, ".secrets", "key"), join(p.cwd, "other", "key"));
    const elsewhere = ["--state-dir", "other", "--store", join(p.cwd, ".secrets", "store.enc"), "--provider", "local"];
    const blocked = await p.run(["rotate", "S", "--yes", ...elsewhere]);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain("PENDING_EXISTS");
    const watch = watchReads(() => p.read("S"));
    const aborted = await p.run(["rotate", "S", "--yes", "--abort", ...elsewhere], { providers: watch.factory });
    expect(aborted.code, aborted.stderr).toBe(0);
    expectOldUntilPromoted(watch.seen, ORIGINAL, undefined);
    expect(await p.labels("S")).toMatchObject({ current: { version: "1", value: ORIGINAL } });
    expect((await p.labels("S"))?.pending).toBeUndefined();
    expect((await p.run(["rotate", "S", "--yes", "--abort"])).stdout).toContain("nothing to abort");
  });

  it("a rotation interrupted by Ctrl-C undoes itself and exits 130", async () => {
    const p = await rotationProject({ S: ORIGINAL });
    const r = await p.run(["rotate", "S", "--yes"], { interruptAt: { method: "rotation.putPending", call: 1 } });
    expect(r.code).toBe(130);
    expect(await p.labels("S")).toMatchObject({ current: { version: "1", value: ORIGINAL } });
    expect((await p.labels("S"))?.pending).toBeUndefined();
  });

  it("`rollback --run <rotation run>` puts the prior current back; --last picks the rotation", async () => {
    const p = await rotationProject({ S: ORIGINAL });
    const r = parseJson(await p.run(["rotate", "S", "--yes", "--json"]));
    const back = await p.run(["rollback", "local", "--run", String(r.runId), "--yes"]);
    expect(back.code, back.stderr).toBe(0);
    expect(await p.labels("S")).toMatchObject({ current: { version: "1", value: ORIGINAL } });
    expect((await p.labels("S"))?.graceUntil).toBeUndefined();
    await p.run(["rotate", "S", "--yes"]);
    const last = await p.run(["rollback", "local", "--last", "--yes", "--json"]);
    expect(parseJson(last)).toMatchObject({ summary: { restore: 1 } });
    expect((await p.labels("S"))?.current.value).toBe(ORIGINAL);
  });

  it("canary: the new value is in no output, journal or state file; only `get --reveal` prints it", async () => {
    const p = await rotationProject({ S: ORIGINAL });
    const value = canary("rot");
    await writeFile(join(p.cwd, "gen.txt"), value);
    const outputs = [
      await p.run(["rotate", "S", "--yes", "--generator", "command:cat gen.txt", "--test-command", 'echo "$SECRET_VALUE"; echo "$SECRET_VALUE" >&2']),
      await p.run(["rotate", "S", "--yes", "--json", "--generator", "command:cat gen.txt", "--test-command", 'echo "$SECRET_VALUE" >&2; exit 1']),
      await p.run(["get", "S", "--with-previous"]),
      await p.run(["get", "S", "--with-previous", "--json"]),
      await p.run(["journal", "list"]),
      await p.run(["cleanup", "local", "--dry-run", "--json"]),
      await p.run(["rollback", "local", "--last", "--dry-run"]),
    ];
    for (const o of outputs) expect(o.stdout + o.stderr).not.toContain(value);
    for (const file of await allFiles(join(p.cwd, ".secrets"))) expect((await readFile(file)).includes(value), file).toBe(false);
    expect(JSON.stringify(await readJournal(join(p.cwd, ".secrets")))).not.toContain(value);
    const revealed = await p.run(["get", "S", "--reveal", "--with-previous", "--json"]);
    expect(parseJson(revealed)).toEqual({ current: value, previous: ORIGINAL, graceUntil: expect.any(String) });
  });

  it("get: masked by default, `{current, previous, graceUntil}` with --reveal --with-previous --json", async () => {
    const p = await rotationProject({ S: ORIGINAL });
    const now = new Date("2026-03-01T10:00:00Z");
    await p.run(["rotate", "S", "--yes", "--grace-period", "1h30m"], { now: () => now });
    const current = (await readLocalLabels(p.cwd, "S"))?.current.value ?? "";
    const masked = parseJson(await p.run(["get", "S", "--with-previous", "--json"]));
    expect(masked).toEqual({
      name: "S",
      provider: "local",
      current: { version: "2", masked: expect.any(String) },
      previous: { version: "1", masked: expect.any(String) },
      graceUntil: "2026-03-01T11:30:00.000Z",
    });
    expect(JSON.stringify(masked)).not.toContain(current);
    expect(parseJson(await p.run(["get", "S", "--reveal", "--with-previous", "--json"]))).toEqual({
      current,
      previous: ORIGINAL,
      graceUntil: "2026-03-01T11:30:00.000Z",
    });
    expect((await p.run(["get", "S", "--reveal"])).stdout).toBe(`${current}\n`);
    expect((await p.run(["get", "S", "--reveal", "--with-previous"])).code).toBe(2);
    // --reveal has no environment twin: SECRETS_REVEAL is ignored and the output stays masked.
    const fromEnv = await p.run(["get", "S"], { env: { SECRETS_REVEAL: "1" } });
    expect(fromEnv.code).toBe(0);
    expect(fromEnv.stdout).not.toContain(current);
    expect((await p.run(["get", "missing"])).code).toBe(1);
  });

  it("jwt: --bits picks the key size and weak generators are refused before anything happens", async () => {
    const p = await rotationProject({ S: ORIGINAL });
    expect((await p.run(["rotate", "S", "--yes", "--strategy", "jwt", "--bits", "512"])).code).toBe(0);
    expect(Buffer.from((await p.labels("S"))?.current.value ?? "", "base64")).toHaveLength(64);
    const weak = await p.run(["rotate", "S", "--yes", "--strategy", "jwt", "--bits", "384", "--generator", "hex:16"]);
    expect(weak.code).toBe(2);
    expect(weak.stderr).toContain("WEAK_GENERATOR");
    expect((await p.run(["rotate", "S", "--yes", "--grace-period", "soon"])).code).toBe(2);
  });
});

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await allFiles(path)));
    else out.push(path);
  }
  return out;
}
