import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readJournal } from "../../src/core/journal.js";
import { canary } from "../helpers/command-suite.js";
import { awsRemote, faultDuringPromote, type Remote, remoteProject, vaultRemote } from "../helpers/remote-rotation.js";
import { faultyStore } from "../helpers/rotation.js";
import { parseJson } from "../helpers/run-cli.js";
import { allFiles } from "../helpers/state-files.js";

const ORIGINAL = "initial-value-0123456789abcdefghij";
const S = "JWT_SECRET";
const T0 = new Date("2026-03-01T10:00:00Z");
const at = (hours: number) => () => new Date(T0.getTime() + hours * 3_600_000);

describe.each([
  ["aws", awsRemote],
  ["vault KV v2", () => vaultRemote(2)],
] as const)("rotate on %s (wire-level test server)", (_label, start) => {
  let remote: Remote;
  afterEach(async () => remote?.stop());

  async function project() {
    remote = await start();
    const p = await remoteProject(remote, { [S]: ORIGINAL });
    const rotate = (extra: readonly string[] = [], options: Parameters<typeof p.run>[1] = {}) =>
      p.run(["rotate", S, "--provider", remote.provider, "--grace-period", "2h", "--yes", ...extra], options);
    return { ...p, rotate };
  }

  /** current is still the migrated value, at the same version, and nothing pending is left. */
  async function unchanged(p: Awaited<ReturnType<typeof project>>, version: string | undefined) {
    const labels = await p.labels(S);
    expect(labels?.current).toMatchObject({ version, value: ORIGINAL });
    expect(labels?.pending).toBeUndefined();
    expect(remote.pendingLeft(S)).toBe(false);
  }

  it("`migrate --yes` then `rotate --grace-period 2h --yes` promotes a new value and keeps the old one readable", async () => {
    const p = await project();
    const before = (await p.labels(S))?.current.version;
    const r = await p.rotate([], { now: at(0) });
    expect(r.code, r.stderr).toBe(0);
    const labels = await p.labels(S);
    expect(labels).toMatchObject({ previous: { version: before, value: ORIGINAL }, graceUntil: new Date(T0.getTime() + 2 * 3_600_000) });
    expect(Buffer.from(labels?.current.value ?? "", "base64")).toHaveLength(48);
    expect(labels?.pending).toBeUndefined();
    expect(remote.pendingLeft(S)).toBe(false);
    expect((await p.runs()).at(-1)).toMatchObject({ command: "rotate", provider: remote.provider, status: "ok", counts: { intent: 4, done: 4, failed: 0 } });
    const shown = parseJson(await p.run(["get", S, "--provider", remote.provider, "--reveal", "--with-previous", "--json"]));
    expect(shown).toEqual({ current: labels?.current.value, previous: ORIGINAL, graceUntil: "2026-03-01T12:00:00.000Z" });
  });

  describe("a failing step leaves current readable and unchanged and nothing pending", () => {
    it("test command exit 1", async () => {
      const p = await project();
      const before = (await p.labels(S))?.current.version;
      const r = await p.rotate(["--test-command", "exit 1"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("step test: the test command exited with code 1");
      await unchanged(p, before);
      expect((await p.rotate()).code).toBe(0); // and the next rotation just works
      expect((await p.labels(S))?.previous?.value).toBe(ORIGINAL);
    });

    it("the provider refuses the promotion", async () => {
      const p = await project();
      const before = (await p.labels(S))?.current.version;
      const r = await p.rotate([], { providers: faultDuringPromote(() => remote.failPromoteWrite()) });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("step promote");
      expect(r.stderr).toContain("no pending version is left");
      await unchanged(p, before);
      expect((await p.rotate()).code).toBe(0);
    });
  });

  describe("killed at a step boundary, the same command again completes exactly one rotation", () => {
    const stops: [string, Parameters<typeof faultyStore>][] = [
      ["before create-pending", ["putPending", "die-before"]],
      ["after create-pending", ["putPending", "die-after"]],
      ["after set and test, before promote", ["promote", "die-before"]],
      ["after promote, before the run ended", ["promote", "die-after"]],
    ];
    it.each(stops)("%s", async (_stop, fault) => {
      const p = await project();
      const before = (await p.labels(S))?.current.version;
      const crashed = await p.rotate(["--test-command", "true"], { providers: faultyStore(...fault) });
      expect(crashed.code).not.toBe(0);
      const again = await p.rotate(["--test-command", "true"]);
      expect(again.code, again.stderr).toBe(0);
      const labels = await p.labels(S);
      expect(labels?.previous).toMatchObject({ version: before, value: ORIGINAL });
      expect(labels?.current.value).not.toBe(ORIGINAL);
      expect(labels?.pending).toBeUndefined();
      expect(remote.pendingLeft(S)).toBe(false);
      expect(remote.versionCount(S)).toBe(2);
      expect((await p.runs()).filter((r) => r.command === "rotate" && r.status === "ok")).toHaveLength(1);
    });
  });

  it("`rollback --run <rotation run>` puts the prior current back", async () => {
    const p = await project();
    const rotated = parseJson(await p.rotate(["--json"]));
    const back = await p.run(["rollback", remote.provider, "--run", String(rotated.runId), "--yes"]);
    expect(back.code, back.stderr).toBe(0);
    expect((await p.labels(S))?.current.value).toBe(ORIGINAL);
    expect(remote.pendingLeft(S)).toBe(false);
  });

  it("cleanup: the previous version stays inside its grace period and goes after it", async () => {
    const p = await project();
    const previous = (await p.labels(S))?.current.version ?? "";
    expect((await p.rotate([], { now: at(0) })).code).toBe(0);
    const inside = await p.run(["cleanup", remote.provider, "--yes", "--json"], { now: at(1) });
    expect(inside.code, inside.stderr).toBe(0);
    expect(parseJson(inside)).toMatchObject({ runId: null });
    expect(remote.previousGone(S, previous)).toBe(false);
    expect((await p.labels(S))?.previous?.value).toBe(ORIGINAL);

    const after = await p.run(["cleanup", remote.provider, "--yes", "--json"], { now: at(3) });
    expect(after.code, after.stderr).toBe(0);
    const items = parseJson(after).items as { kind: string; name?: string; result?: string }[];
    expect(items.filter((i) => i.kind === "previous")).toEqual([expect.objectContaining({ name: S, version: previous, result: "done" })]);
    expect(remote.previousGone(S, previous)).toBe(true);
    const labels = await p.labels(S);
    expect(labels?.previous).toBeUndefined();
    expect(labels?.current.value).not.toBe(ORIGINAL);
    expect(parseJson(await p.run(["get", S, "--provider", remote.provider, "--with-previous", "--json"]))).toMatchObject({ previous: null, graceUntil: null });
  });

  it("canary: the new value is in no output, journal or state file; only `get --reveal` prints it", async () => {
    const p = await project();
    const value = canary("remote");
    await writeFile(join(p.cwd, "gen.txt"), value);
    const gen = ["--generator", "command:cat gen.txt"];
    const get = ["get", S, "--provider", remote.provider];
    const outputs = [
      await p.rotate([...gen, "--test-command", 'echo "$SECRET_VALUE"; echo "$SECRET_VALUE" >&2']),
      await p.rotate([...gen, "--json", "--test-command", 'echo "$SECRET_VALUE" >&2; exit 1']),
      await p.run([...get, "--with-previous"]),
      await p.run([...get, "--with-previous", "--json"]),
      await p.run(["journal", "list"]),
      await p.run(["cleanup", remote.provider, "--dry-run", "--json"]),
      await p.run(["rollback", remote.provider, "--last", "--dry-run"]),
    ];
    expect(outputs[0]?.code, outputs[0]?.stderr).toBe(0);
    for (const o of outputs) expect(o.stdout + o.stderr).not.toContain(value);
    for (const file of await allFiles(join(p.cwd, ".secrets"))) expect((await readFile(file)).includes(value), file).toBe(false);
    expect(JSON.stringify(await readJournal(join(p.cwd, ".secrets")))).not.toContain(value);
    const revealed = await p.run([...get, "--reveal", "--with-previous", "--json"]);
    expect(parseJson(revealed)).toEqual({ current: value, previous: ORIGINAL, graceUntil: expect.any(String) });
  });
});

describe("rotate on vault KV v1", () => {
  it("is refused with a message that says KV v1 keeps no versions", async () => {
    const remote = await vaultRemote(1);
    try {
      const p = await remoteProject(remote, { [S]: ORIGINAL });
      const r = await p.run(["rotate", S, "--provider", "vault", "--grace-period", "2h", "--yes"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("KV v1 keeps no versions");
      expect((await p.run(["get", S, "--provider", "vault", "--reveal"])).stdout).toBe(`${ORIGINAL}\n`);
    } finally {
      await remote.stop();
    }
  });
});
