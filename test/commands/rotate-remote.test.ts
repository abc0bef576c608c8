import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ProviderFactory } from "../../src/core/deps.js";
import { readJournal } from "../../src/core/journal.js";
import { type AppRead, appRead, installReaderScript, scriptReads } from "../helpers/app-read.js";
import { canary } from "../helpers/command-suite.js";
import { startK8sHarness } from "../helpers/k8s-harness.js";
import { expectOldUntilPromoted, watchReads } from "../helpers/read-watch.js";
import { faultDuringPromote, REMOTES, type Remote, remoteProject, vaultRemote } from "../helpers/remote-rotation.js";
import { faultyStore } from "../helpers/rotation.js";
import { parseJson, runSecrets } from "../helpers/run-cli.js";
import { allFiles } from "../helpers/state-files.js";
import { tmpdir } from "../helpers/tmpdir.js";

const ORIGINAL = "initial-value-0123456789abcdefghij";
const NEXT = "rotated-value-9876543210zyxwvutsrq";
const S = "JWT_SECRET";
const T0 = new Date("2026-03-01T10:00:00Z");
const at = (hours: number) => () => new Date(T0.getTime() + hours * 3_600_000);
const ok = (value: string): AppRead => ({ status: 200, value });

describe.each(REMOTES)("rotate on %s (wire-level test server, read by an application at every step)", (label, start) => {
  let remote: Remote;
  afterEach(async () => remote?.stop());

  /**
   * A migrated project whose rotations generate `value` (so a read can tell the pending value), run
   * the application's read during `test`, and are watched by that read around every store call.
   */
  async function project() {
    remote = await start();
    const p = await remoteProject(remote, { [S]: ORIGINAL });
    const reader = await remote.reader(S);
    const readInTest = await installReaderScript(p.cwd, reader);
    const read = () => appRead(reader);
    const rotate = async (extra: readonly string[] = [], options: { providers?: ProviderFactory; now?: () => Date; value?: string; test?: string } = {}) => {
      await writeFile(join(p.cwd, "gen.txt"), options.value ?? NEXT);
      const watch = watchReads(read, options.providers);
      const test = options.test === undefined ? readInTest : `${readInTest} && ${options.test}`;
      const args = ["rotate", S, "--provider", remote.provider, "--grace-period", "2h", "--yes", "--generator", "command:cat gen.txt", "--test-command", test];
      const result = await p.run([...args, ...extra], { providers: watch.factory, ...(options.now ? { now: options.now } : {}) });
      return { ...result, seen: watch.seen };
    };
    return { ...p, rotate, read, inTest: () => scriptReads(p.cwd, reader) };
  }

  /** current is still the migrated value, at the same version, nothing pending is left, and applications still read it. */
  async function unchanged(p: Awaited<ReturnType<typeof project>>, version: string | undefined) {
    const labels = await p.labels(S);
    expect(labels?.current).toMatchObject({ version, value: ORIGINAL });
    expect(labels?.pending).toBeUndefined();
    expect(remote.pendingLeft(S)).toBe(false);
    expect(await p.read()).toEqual(ok(ORIGINAL));
  }

  it("`rotate --grace-period 2h --yes`: applications read the old value until promotion and the new one after; the old stays readable", async () => {
    const p = await project();
    const before = (await p.labels(S))?.current.version;
    const r = await p.rotate([], { now: at(0) });
    expect(r.code, r.stderr).toBe(0);
    expectOldUntilPromoted(r.seen, ORIGINAL, NEXT);
    expect(r.seen.map((s) => s.moment)).toEqual(["before putPending", "after putPending", "before promote", "after promote"]);
    expect(await p.inTest()).toEqual([ok(ORIGINAL)]);
    expect(await p.read()).toEqual(ok(NEXT));
    const labels = await p.labels(S);
    expect(labels).toMatchObject({
      current: { value: NEXT },
      previous: { version: before, value: ORIGINAL },
      graceUntil: new Date(T0.getTime() + 2 * 3_600_000),
    });
    expect(labels?.pending).toBeUndefined();
    expect(remote.pendingLeft(S)).toBe(false);
    expect((await p.runs()).at(-1)).toMatchObject({ command: "rotate", provider: remote.provider, status: "ok", counts: { intent: 4, done: 4, failed: 0 } });
    const shown = parseJson(await p.run(["get", S, "--provider", remote.provider, "--reveal", "--with-previous", "--json"]));
    expect(shown).toEqual({ current: NEXT, previous: ORIGINAL, graceUntil: "2026-03-01T12:00:00.000Z" });
    // the sibling secret or path is neither listed nor an `extra`
    const exact = await p.run(["validate", remote.provider, "--exact", "--json"]);
    expect(parseJson(exact).summary).toMatchObject({ extra: 0 });
  });

  describe("a failing step leaves current readable and unchanged, nothing pending, and no application ever read the pending value", () => {
    it("test command exit 1", async () => {
      const p = await project();
      const before = (await p.labels(S))?.current.version;
      const r = await p.rotate([], { test: "exit 1" });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("step test: the test command exited with code 1");
      expectOldUntilPromoted(r.seen, ORIGINAL, undefined);
      expect(r.seen.at(-1)?.moment).toBe("after discardPending");
      expect(await p.inTest()).toEqual([ok(ORIGINAL)]);
      await unchanged(p, before);
      expect((await p.rotate()).code).toBe(0); // and the next rotation just works
      expect((await p.labels(S))?.previous?.value).toBe(ORIGINAL);
      expect(await p.read()).toEqual(ok(NEXT));
    });

    it("the provider refuses the promotion's write", async () => {
      const p = await project();
      const before = (await p.labels(S))?.current.version;
      const r = await p.rotate([], { providers: faultDuringPromote(() => remote.failPromoteWrite()) });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain("step promote");
      expect(r.stderr).toContain("no pending version is left");
      expectOldUntilPromoted(r.seen, ORIGINAL, undefined);
      await unchanged(p, before);
      expect((await p.rotate()).code).toBe(0);
      expect(await p.read()).toEqual(ok(NEXT));
    });
  });

  describe("killed at a step boundary, applications read the old value (the new one once promoted), and the same command again completes one rotation", () => {
    const stops: [string, Parameters<typeof faultyStore>, string][] = [
      ["before create-pending", ["putPending", "die-before"], ORIGINAL],
      ["after create-pending", ["putPending", "die-after"], ORIGINAL],
      ["after set and test, before promote", ["promote", "die-before"], ORIGINAL],
      ["after promote, before the run ended", ["promote", "die-after"], NEXT],
    ];
    it.each(stops)("%s", async (_stop, fault, readable) => {
      const p = await project();
      const before = (await p.labels(S))?.current.version;
      const crashed = await p.rotate([], { providers: faultyStore(...fault) });
      expect(crashed.code).not.toBe(0);
      expectOldUntilPromoted(crashed.seen, ORIGINAL, NEXT);
      expect(await p.read()).toEqual(ok(readable));
      const again = await p.rotate();
      expect(again.code, again.stderr).toBe(0);
      expectOldUntilPromoted(again.seen, readable, NEXT);
      expect(await p.read()).toEqual(ok(NEXT));
      const labels = await p.labels(S);
      expect(labels?.previous).toMatchObject({ version: before, value: ORIGINAL });
      expect(labels?.current.value).toBe(NEXT);
      expect(labels?.pending).toBeUndefined();
      expect(remote.pendingLeft(S)).toBe(false);
      expect(remote.versionCount(S)).toBe(2);
      expect((await p.runs()).filter((r) => r.command === "rotate" && r.status === "ok")).toHaveLength(1);
    });

    it("--abort after a crash that left a pending value: removed, and applications kept reading the old value", async () => {
      const p = await project();
      const before = (await p.labels(S))?.current.version;
      expect((await p.rotate([], { providers: faultyStore("putPending", "die-after") })).code).not.toBe(0);
      const aborted = await p.rotate(["--abort"]);
      expect(aborted.code, aborted.stderr).toBe(0);
      expect(aborted.stdout).toContain("abandoned the rotation");
      expectOldUntilPromoted(aborted.seen, ORIGINAL, undefined);
      await unchanged(p, before);
    });
  });

  it("a pending value of another state folder: PENDING_EXISTS until --abort, applications reading the old value throughout", async () => {
    const p = await project();
    const other = await remoteProject(remote, { [S]: ORIGINAL });
    await writeFile(join(other.cwd, "gen.txt"), NEXT);
    const gen = ["--generator", "command:cat gen.txt"];
    const elsewhere = await other.run(["rotate", S, "--provider", remote.provider, "--yes", ...gen], { providers: faultyStore("putPending", "die-after") });
    expect(elsewhere.code).not.toBe(0);
    expect(await p.read()).toEqual(ok(ORIGINAL));
    const blocked = await p.rotate();
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain("PENDING_EXISTS");
    expect(blocked.seen).toEqual([]);
    expect(await p.read()).toEqual(ok(ORIGINAL));
    const aborted = await p.rotate(["--abort"]);
    expect(aborted.code, aborted.stderr).toBe(0);
    expect(remote.pendingLeft(S)).toBe(false);
    expect(await p.read()).toEqual(ok(ORIGINAL));
  });

  it("`rollback --run <rotation run>` puts the prior current back", async () => {
    const p = await project();
    const rotated = parseJson(await p.rotate(["--json"]));
    const back = await p.run(["rollback", remote.provider, "--run", String(rotated.runId), "--yes"]);
    expect(back.code, back.stderr).toBe(0);
    expect((await p.labels(S))?.current.value).toBe(ORIGINAL);
    expect(remote.pendingLeft(S)).toBe(false);
    expect(await p.read()).toEqual(ok(ORIGINAL));
  });

  it("cleanup: the previous version stays inside its grace period and goes after it; applications keep reading the current one", async () => {
    const p = await project();
    const previous = (await p.labels(S))?.current.version ?? "";
    expect((await p.rotate([], { now: at(0) })).code).toBe(0);
    const inside = await p.run(["cleanup", remote.provider, "--yes", "--json"], { now: at(1) });
    expect(inside.code, inside.stderr).toBe(0);
    expect(parseJson(inside)).toMatchObject({ runId: null });
    expect(remote.previousGone(S, previous)).toBe(false);
    expect((await p.labels(S))?.previous?.value).toBe(ORIGINAL);

    // Through the grace period the previous value is readable by its version, as `--with-previous` readers do.
    expect(await appRead(await remote.reader(S, previous))).toEqual(ok(ORIGINAL));

    const after = await p.run(["cleanup", remote.provider, "--yes", "--json"], { now: at(3) });
    expect(after.code, after.stderr).toBe(0);
    const items = parseJson(after).items as { kind: string; name?: string; result?: string }[];
    expect(items.filter((i) => i.kind === "previous")).toEqual([expect.objectContaining({ name: S, version: previous, result: "done" })]);
    expect(remote.previousGone(S, previous)).toBe(true);
    const labels = await p.labels(S);
    expect(labels?.previous).toBeUndefined();
    expect(labels?.current.value).toBe(NEXT);
    expect(await p.read()).toEqual(ok(NEXT));
    expect(parseJson(await p.run(["get", S, "--provider", remote.provider, "--with-previous", "--json"]))).toMatchObject({ previous: null, graceUntil: null });
  });

  // aws keeps no sibling: AWSPENDING is a label, and a finished promotion never leaves it.
  it.skipIf(label === "aws")("cleanup removes a pending value left beside the secret once it is current, and keeps one still pending", async () => {
    const p = await project();
    const undo = remote.failPendingRemoval?.() ?? (() => {});
    const left = await p.rotate(["--json"]);
    undo();
    expect(left.code, left.stderr).toBe(0); // the promotion landed; only its leftover could not go
    expect(await p.read()).toEqual(ok(NEXT));
    expect(remote.pendingLeft(S)).toBe(true);
    const cleaned = await p.run(["cleanup", remote.provider, "--yes", "--json"]);
    expect(cleaned.code, cleaned.stderr).toBe(0);
    const items = parseJson(cleaned).items as { kind: string; name?: string; action?: string; result?: string }[];
    expect(items.filter((i) => i.kind === "pending")).toEqual([expect.objectContaining({ name: S, action: "drop", result: "done" })]);
    expect(remote.pendingLeft(S)).toBe(false);
    expect(await p.read()).toEqual(ok(NEXT));

    expect((await p.rotate([], { providers: faultyStore("putPending", "die-after"), value: `${NEXT}-2` })).code).not.toBe(0);
    const kept = parseJson(await p.run(["cleanup", remote.provider, "--yes", "--json"]));
    expect((kept.items as { kind: string; action?: string; reason?: string }[]).filter((i) => i.kind === "pending")).toEqual([
      expect.objectContaining({ action: "keep", reason: expect.stringContaining("--abort") }),
    ]);
    expect(remote.pendingLeft(S)).toBe(true);
    expect(await p.read()).toEqual(ok(NEXT));
  });

  it("canary: the new value is in no output, journal or state file; only `get --reveal` prints it", async () => {
    const p = await project();
    const value = canary("remote");
    const get = ["get", S, "--provider", remote.provider];
    const outputs = [
      await p.rotate([], { value, test: 'echo "$SECRET_VALUE"; echo "$SECRET_VALUE" >&2' }),
      await p.rotate(["--json"], { value: `${value}-2`, test: 'echo "$SECRET_VALUE" >&2; exit 1' }),
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

describe("rotate on k8s", () => {
  it("is refused (exit 2) saying why: a Secret keeps no versions; the Secret pods read is untouched", async () => {
    const h = await startK8sHarness();
    try {
      const cwd = await tmpdir();
      await writeFile(join(cwd, ".env"), `${S}=${ORIGINAL}\n`);
      const run = (args: string[]) => runSecrets([...args, ...h.args], { cwd, env: h.env });
      expect((await run(["init"])).code).toBe(0);
      expect((await run(["migrate", "k8s", "--yes"])).code).toBe(0);
      const writes = () => ({ ...h.server.counts, get: 0, list: 0 });
      const before = writes();
      const r = await run(["rotate", S, "--provider", "k8s", "--yes"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("ROTATE_UNSUPPORTED");
      expect(r.stderr).toContain("Kubernetes Secrets keep no versions");
      expect(writes()).toEqual(before);
      expect((await run(["get", S, "--provider", "k8s", "--reveal"])).stdout).toBe(`${ORIGINAL}\n`);
    } finally {
      await h.stop();
    }
  });
});
