import { describe, expect, it } from "vitest";
import { localCurrentValues } from "../helpers/local-store-file.js";
import { rotationProject } from "../helpers/rotation.js";
import { parseJson } from "../helpers/run-cli.js";

const ORIGINAL = "canary-5d0e-original-value-0123";
const T0 = new Date("2026-03-01T10:00:00Z").getTime();
/** A clock that moves 0.7 s per reading, so the seconds in the line are not all zero. */
const ticking = () => {
  let t = T0;
  return () => new Date((t += 700));
};

describe("a live run ends with what it did, how long it took and the undo", () => {
  it("rotate names the run and an undo that, run as printed, brings the old value back", async () => {
    const p = await rotationProject({ API_TOKEN: ORIGINAL });
    const r = await p.run(["rotate", "API_TOKEN", "--yes"], { now: ticking() });
    expect(r.code, r.stderr).toBe(0);
    const line = /rotated API_TOKEN on local in (\d+\.\d) s \(run (\S+)\): version 2 is current, .*; undo: (secrets rollback local --run \S+)$/m.exec(r.stdout);
    expect(line, r.stdout).not.toBeNull();
    expect(Number(line?.[1])).toBeGreaterThan(0);
    expect(line?.[3]).toBe(`secrets rollback local --run ${line?.[2]}`);
    expect(r.stdout + r.stderr).not.toContain(ORIGINAL);
    expect((await localCurrentValues(p.cwd, {})).get("API_TOKEN")?.value).not.toBe(ORIGINAL);

    const undo = await p.run([...(line?.[3] ?? "").split(" ").slice(1), "--yes"]);
    expect(undo.code, undo.stderr).toBe(0);
    expect((await localCurrentValues(p.cwd, {})).get("API_TOKEN")?.value).toBe(ORIGINAL);
    // The rollback's own line: no undo offered for an undo.
    expect(undo.stdout).toMatch(/^rolled back 1 change on local in \d+\.\d s \(run \S+\)$/m);
    expect(undo.stdout).not.toContain("undo:");
  });

  it("rollback and cleanup with --json carry applied, seconds, runId and undo", async () => {
    const p = await rotationProject({ A_KEY: `${ORIGINAL}-a`, B_KEY: `${ORIGINAL}-b` });
    const back = parseJson(await p.run(["rollback", "local", "--last", "--yes", "--json"], { now: ticking() }));
    expect(back).toMatchObject({ command: "rollback", applied: 2, undo: null });
    expect(back.seconds).toBeGreaterThan(0);
    expect(String(back.runId)).toMatch(/^\d{8}T\d{6}-[0-9a-f]{6}$/);
    expect(await localCurrentValues(p.cwd, {})).toEqual(new Map());

    // Rotated with a short grace period, then cleaned up after it: the previous version goes.
    expect((await p.run(["migrate", "local", "--yes"])).code).toBe(0);
    expect((await p.run(["rotate", "A_KEY", "--yes", "--grace-period", "1h"], { now: () => new Date(T0) })).code).toBe(0);
    const later = () => new Date(T0 + 2 * 3_600_000);
    const human = await p.run(["cleanup", "local", "--dry-run"], { now: later });
    expect(human.stdout).not.toMatch(/cleaned up/);
    const clean = await p.run(["cleanup", "local", "--yes"], { now: later });
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toMatch(/^cleaned up 1 item on local in 0\.0 s \(run \S+\)$/m);
    expect((await p.labels("A_KEY"))?.previous).toBeUndefined();
  });
});
