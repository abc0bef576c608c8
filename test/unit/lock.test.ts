import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdir, readFile, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { acquireLock } from "../../src/core/lock.js";
import { tmpdir } from "../helpers/tmpdir.js";

/** A sleep that returns at once but records how long we were asked to wait. */
function fakeClock() {
  const slept: number[] = [];
  return { slept, sleep: async (ms: number) => void slept.push(ms) };
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", "0"]);
  await once(child, "exit");
  if (child.pid === undefined) throw new Error("no pid");
  return child.pid;
}

describe("acquireLock", () => {
  it("writes the holder and removes the file on release", async () => {
    const path = join(await tmpdir(), "lock");
    const release = await acquireLock(path);
    expect(JSON.parse(await readFile(path, "utf8"))).toMatchObject({ pid: process.pid, hostname: hostname() });
    await release();
    await expect(readFile(path)).rejects.toMatchObject({ code: "ENOENT" });
    await release(); // idempotent
  });

  it("makes a second acquire wait, then fail with LOCKED naming the holder", async () => {
    const dir = await tmpdir();
    const path = join(dir, "lock");
    const release = await acquireLock(path);
    const clock = fakeClock();
    const err = await acquireLock(path, { waitMs: 500, pollMs: 100, clock }).catch((e) => e);
    expect(err).toMatchObject({ code: "LOCKED", exitCode: 1 });
    expect(err.message).toBe(`another secretshift run (pid ${process.pid}) is using ${dir}`);
    expect(err.hint).toContain(path);
    expect(clock.slept).toEqual([100, 100, 100, 100, 100]);
    await release();
  });

  it("succeeds once the holder releases while we wait", async () => {
    const path = join(await tmpdir(), "lock");
    const first = await acquireLock(path);
    const clock = { sleep: async () => void (await first()) };
    const second = await acquireLock(path, { clock });
    expect(JSON.parse(await readFile(path, "utf8")).pid).toBe(process.pid);
    await second();
  });

  it("recovers a lock left by a dead process on this host", async () => {
    const dir = await tmpdir();
    const path = join(dir, "lock");
    const pid = await deadPid();
    await writeFile(path, JSON.stringify({ pid, hostname: hostname(), startedAt: "2020-01-01T00:00:00Z" }));
    const release = await acquireLock(path, { waitMs: 0 });
    expect(JSON.parse(await readFile(path, "utf8")).pid).toBe(process.pid);
    await release();
    expect(await readdir(dir)).toEqual([]); // the stale file renamed aside is gone too
  });

  it("never judges a lock from another host stale", async () => {
    const path = join(await tmpdir(), "lock");
    const pid = await deadPid();
    await writeFile(path, JSON.stringify({ pid, hostname: `not-${hostname()}`, startedAt: "x" }));
    const err = await acquireLock(path, { waitMs: 0 }).catch((e) => e);
    expect(err.message).toContain(`pid ${pid} on not-${hostname()}`);
  });

  it("recovers an unparsable lock only once it is old", async () => {
    const path = join(await tmpdir(), "lock");
    await writeFile(path, "");
    await expect(acquireLock(path, { waitMs: 0 })).rejects.toMatchObject({ code: "LOCKED" });
    const old = new Date(Date.now() - 60_000);
    await utimes(path, old, old);
    await (await acquireLock(path, { waitMs: 0 }))();
  });

  it("release leaves alone a lock that is no longer ours", async () => {
    const path = join(await tmpdir(), "lock");
    const release = await acquireLock(path);
    const theirs = JSON.stringify({ pid: 1, hostname: "elsewhere", startedAt: "x" });
    await writeFile(path, theirs);
    await release();
    expect(await readFile(path, "utf8")).toBe(theirs);
  });
});
