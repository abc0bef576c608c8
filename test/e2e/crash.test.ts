import { cp } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { entries, expectKilledAfterFirstIntent, killSwitch, lastRun, spawnSecrets, valuesOnly, writeEnv } from "../helpers/crash.js";
import { localState } from "../helpers/crash-targets.js";
import { runSecrets } from "../helpers/run-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

// Spawns the built CLI (`npm run build` first; `npm test` does it). The local store appends a run's
// batch as one patch line, so the distinct moments of a crash are few: each is hit exactly by the
// kill switch, instead of sampled with timers. (The first write of a store, and a compaction, replace
// the file by rename instead: the rename moments are in the first-write test below.)
const OLD = 250;
const TARGET = [...entries(OLD, "new"), ...entries(250, "new", OLD)];
const INTENDED = Object.fromEntries(TARGET.map((e) => [e.key, e.value]));
const MIGRATE = ["migrate", "local", "--yes", "--on-conflict", "overwrite"];

async function copyOf(dir: string): Promise<string> {
  const copy = await tmpdir();
  await cp(dir, copy, { recursive: true });
  return copy;
}

describe("kill -9 during a live migrate to the local store", () => {
  let base: string;
  let pre: Record<string, string>;
  beforeAll(async () => {
    base = await tmpdir();
    await writeEnv(base, entries(OLD, "old"));
    expect((await runSecrets(["init"], { cwd: base })).code).toBe(0);
    expect((await runSecrets(["migrate", "local", "--yes"], { cwd: base })).code).toBe(0);
    await writeEnv(base, TARGET);
    pre = await localState(base);
    expect(Object.keys(pre)).toHaveLength(OLD);
  });

  const moments = [
    ["intent:1", "every intent journalled, nothing written"],
    ["torn-patch:store.enc", "half of the batch's patch line on disk, the rest never written"],
    ["after-patch:store.enc", "the batch's patch line durable, no outcome journalled"],
    ["append:3", "every outcome journalled, no run-end"],
  ];
  it.each(moments)("killed at %s (%s): rollback --last restores exactly, a re-run finishes exactly", async (moment) => {
    console.log(`local crash: kill at ${moment}`);
    const crashed = await copyOf(base);
    const killed = await spawnSecrets(MIGRATE, crashed, killSwitch(moment));
    await expectKilledAfterFirstIntent(killed, crashed, moment);
    expect((await runSecrets(["journal", "verify"], { cwd: crashed })).code, moment).toBe(0);

    const rolledBack = await copyOf(crashed);
    const back = await runSecrets(["rollback", "local", "--last", "--yes"], { cwd: rolledBack });
    expect(back.code, `${moment}: ${back.stderr}`).toBe(0);
    expect(await localState(rolledBack), `${moment}: rollback`).toEqual(pre);
    expect((await runSecrets(["journal", "verify"], { cwd: rolledBack })).code, moment).toBe(0);

    const rerun = await runSecrets(MIGRATE, { cwd: crashed });
    expect(rerun.code, `${moment}: ${rerun.stderr}`).toBe(0);
    expect(valuesOnly(await localState(crashed)), `${moment}: re-run`).toEqual(INTENDED);
  });

  it("killed while planning (after its run-start): rollback --last has nothing to undo and leaves the earlier run alone", async () => {
    const crashed = await copyOf(base);
    const killed = await spawnSecrets(MIGRATE, crashed, killSwitch("append:1"));
    expect(killed.signal).toBe("SIGKILL");
    const run = await lastRun(crashed);
    expect(run).toMatchObject({ command: "migrate", counts: { intent: 0 } });
    expect(run?.endedAt).toBeUndefined();

    const back = await runSecrets(["rollback", "local", "--last", "--yes"], { cwd: crashed });
    expect(back.code, back.stderr).toBe(0);
    expect(back.stderr).toContain(`run ${run?.runId} wrote nothing`);
    expect(back.stdout).toContain("nothing to undo");
    expect(await localState(crashed)).toEqual(pre);
  });
});

describe("kill -9 during the first write of a new local store (a whole-file rename)", () => {
  let base: string;
  beforeAll(async () => {
    base = await tmpdir();
    await writeEnv(base, TARGET);
    expect((await runSecrets(["init"], { cwd: base })).code).toBe(0);
  });

  it.each([
    ["before-rename:store.enc", "the new store file written and synced, not yet in place"],
    ["after-rename:store.enc", "the new store in place, no outcome journalled"],
  ])("killed at %s (%s): rollback --last leaves no secret, a re-run finishes exactly", async (moment) => {
    const crashed = await copyOf(base);
    const killed = await spawnSecrets(MIGRATE, crashed, killSwitch(moment));
    await expectKilledAfterFirstIntent(killed, crashed, moment);

    const rolledBack = await copyOf(crashed);
    const back = await runSecrets(["rollback", "local", "--last", "--yes"], { cwd: rolledBack });
    expect(back.code, `${moment}: ${back.stderr}`).toBe(0);
    expect(await localState(rolledBack), `${moment}: rollback`).toEqual({});
    expect((await runSecrets(["journal", "verify"], { cwd: rolledBack })).code, moment).toBe(0);

    const rerun = await runSecrets(MIGRATE, { cwd: crashed });
    expect(rerun.code, `${moment}: ${rerun.stderr}`).toBe(0);
    expect(valuesOnly(await localState(crashed)), `${moment}: re-run`).toEqual(INTENDED);
  });
});
