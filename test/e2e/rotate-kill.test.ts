import type { ChildProcess } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readJournal, runsOf } from "../../src/core/journal.js";
import { formatDotenv } from "../../src/sources/dotenv.js";
import { type AppRead, type AppReader, appRead, installReaderScript } from "../helpers/app-read.js";
import { type KillProxy, startKillProxy, WRITES } from "../helpers/kill-proxy.js";
import { REMOTES, type Remote } from "../helpers/remote-rotation.js";
import { runSecrets } from "../helpers/run-cli.js";
import { spawnSecrets } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

// Spawns the built CLI (`npm run build` first; `npm test` does it) and kills it with SIGKILL on an
// event: the Nth write request it sends (through a proxy), or from inside its test step.
const OLD = "initial-value-0123456789abcdefghij";
const NEW = "rotated-value-9876543210zyxwvutsrq";
const SEED = Number(process.env.ROTATE_KILL_SEED ?? Date.now() % 1_000_000);

/** A small seeded generator (mulberry32), so a failing trial can be replayed with ROTATE_KILL_SEED. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Trial {
  readonly name: string;
  readonly cwd: string;
  readonly reader: AppReader;
  readonly rotate: readonly string[];
}

describe.each(REMOTES)("kill -9 of a spawned `rotate` on %s", (label, start) => {
  let remote: Remote;
  let proxy: KillProxy;
  let seq = 0;
  const rng = random(SEED + [...label].reduce((h, c) => h * 31 + c.charCodeAt(0), 0));
  beforeAll(async () => {
    remote = await start();
    proxy = await startKillProxy(remote.upstream, WRITES[remote.provider], remote.tls);
  });
  afterAll(async () => {
    await proxy?.stop();
    await remote?.stop();
  });

  /** A fresh secret migrated (in-process, straight to the server) in a fresh project, ready to rotate through the proxy. */
  async function trial(): Promise<Trial> {
    const name = `KILL_${seq++}`;
    const cwd = await tmpdir();
    await writeFile(join(cwd, ".env"), formatDotenv([{ key: name, value: OLD }]));
    await writeFile(join(cwd, "gen.txt"), NEW);
    const direct = (args: string[]) => runSecrets([...args, ...remote.args], { cwd, env: remote.env });
    expect((await direct(["init"])).code).toBe(0);
    expect((await direct(["migrate", remote.provider, "--yes"])).code).toBe(0);
    const reader = await remote.reader(name);
    const readInTest = await installReaderScript(cwd, reader);
    const routed = remote.route(proxy.url);
    const rotate = ["rotate", name, "--provider", remote.provider, "--yes", "--generator", "command:cat gen.txt", ...routed.args];
    return { name, cwd, reader, rotate: [...rotate, "--test-command", readInTest] };
  }

  const spawn = (t: Trial, extra: readonly string[] = [], onStart?: (child: ChildProcess) => void) =>
    spawnSecrets([...t.rotate, ...extra], t.cwd, remote.route(proxy.url).env, onStart);

  /** After the kill: a plain read gets the old value, or the new one only once promotion began; the kill landed after the first intent. */
  async function afterKill(t: Trial, moment: string): Promise<AppRead> {
    const read = await appRead(t.reader);
    const entries = await readJournal(join(t.cwd, ".secrets"));
    const run = runsOf(entries).find((r) => r.command === "rotate");
    expect(run, moment).toBeDefined();
    expect(run?.status, `${moment}: the run must not have ended`).toBeUndefined();
    expect(run?.counts.intent, `${moment}: the kill must land after the first intent`).toBeGreaterThanOrEqual(1);
    const promoting = entries.some((e) => e.runId === run?.runId && e.type === "intent" && e.action === "promote");
    expect(read.status, `${moment}: ${JSON.stringify(read)}`).toBe(200);
    expect(promoting ? [OLD, NEW] : [OLD], `${moment}: read ${read.value}`).toContain(read.value);
    return read;
  }

  /** Re-run (resume or finish) or --abort, by the seed; then exact: one rotation, or none, nothing pending, and reads agree. */
  async function settle(t: Trial, seen: AppRead, moment: string): Promise<void> {
    let abort = rng() < 0.3;
    let next = await spawn(t, abort ? ["--abort"] : []);
    let what = `${moment}, then ${abort ? "--abort" : "the same command"}`;
    if (abort && next.code !== 0) {
      // Once its promotion landed, our run cannot be abandoned, only finished: the same command without --abort.
      expect(next.stderr, what).toContain("ALREADY_PROMOTED");
      expect(seen, what).toEqual({ status: 200, value: NEW });
      abort = false;
      next = await spawn(t);
      what = `${what}, then the same command`;
    }
    console.log(`rotate-kill ${what}: exit ${next.code}`);
    if (abort) {
      expect(await appRead(t.reader), what).toEqual(seen);
    } else {
      expect(next.code, `${what}: ${next.stderr}`).toBe(0);
      expect(await appRead(t.reader), what).toEqual({ status: 200, value: NEW });
      const runs = runsOf(await readJournal(join(t.cwd, ".secrets")));
      expect(
        runs.filter((r) => r.command === "rotate" && r.status === "ok"),
        what,
      ).toHaveLength(1);
      expect(remote.versionCount(t.name), what).toBe(2);
    }
    expect(remote.pendingLeft(t.name), `${what}: a pending value is left`).toBe(false);
  }

  it("at each write request of the run (killed before or after the server handled it, by seed), and inside the test step", async () => {
    console.log(`rotate-kill ${label}: ROTATE_KILL_SEED=${SEED}`);
    // How many writes a whole rotation sends.
    const whole = await trial();
    proxy.arm(undefined);
    const full = await spawn(whole);
    expect(full.code, full.stderr).toBe(0);
    const writes = proxy.writes;
    expect(writes).toBeGreaterThanOrEqual(2);
    console.log(`rotate-kill ${label}: a whole rotation sends ${writes} write requests`);

    for (let n = 1; n <= writes; n++) {
      const t = await trial();
      const when = rng() < 0.5 ? "before" : "after";
      const moment = `${label}: killed ${when} write ${n} of ${writes} (seed ${SEED})`;
      let child: ChildProcess | undefined;
      proxy.arm({ write: n, when, kill: () => child?.kill("SIGKILL") });
      const killed = await spawn(t, [], (c) => {
        child = c;
      });
      proxy.arm(undefined);
      console.log(`rotate-kill ${moment}`);
      expect(killed.signal, `${moment}: ${killed.stderr}`).toBe("SIGKILL");
      await settle(t, await afterKill(t, moment), moment);
    }

    const t = await trial();
    const moment = `${label}: killed inside the test step (seed ${SEED})`;
    const test = `${t.rotate.at(-1)} && if [ ! -e killed.marker ]; then touch killed.marker; kill -9 "$PPID"; sleep 5; fi`;
    const killed = await spawnSecrets([...t.rotate.slice(0, -1), test], t.cwd, remote.route(proxy.url).env);
    expect(killed.signal, moment).toBe("SIGKILL");
    await settle(t, await afterKill(t, moment), moment);
  }, 300_000);
});
