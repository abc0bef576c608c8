import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rotationToken, runOfVersion } from "../../src/providers/aws/rotation.js";
import { type AwsStore, createAwsStore } from "../../src/providers/aws/store.js";
import type { ProviderContext } from "../../src/providers/shared/context.js";
import { ConflictError } from "../../src/providers/types.js";
import { rotationOf } from "../../src/rotation/types.js";
import { type AwsHarness, startAwsHarness } from "../helpers/aws-harness.js";

let h: AwsHarness;
let store: AwsStore;
const until = new Date("2026-01-02T00:00:00Z");
const stagesOf = (name: string) => Object.fromEntries(h.server.versions(name).map((v) => [v.id, v.stages]));
const pendingLeft = (name: string) => h.server.versions(name).some((v) => v.stages.includes("AWSPENDING"));

beforeEach(async () => {
  h = await startAwsHarness();
  const ctx: ProviderContext = {
    stateDir: "/nonexistent",
    key: undefined,
    options: h.options,
    env: h.env,
    clock: { now: () => new Date(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    concurrency: undefined,
    onEvent: () => undefined,
  };
  store = (await createAwsStore(ctx)) as AwsStore;
  await store.connect();
  await store.write({ kind: "create", name: "app/S", value: "v1", runId: "m1" });
});
afterEach(async () => {
  await store.close();
  await h.stop();
});

describe("aws RotatingStore (real SDK against the wire-level server)", () => {
  it("tokens carry the run id back, and only for the name they were made for", () => {
    const token = rotationToken("20260301T100000-a1b2c3", "app/S");
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(token.length).toBeLessThanOrEqual(64);
    expect(runOfVersion(token, "app/S")).toBe("20260301T100000-a1b2c3");
    expect(runOfVersion(token, "app/T")).toBeUndefined();
    expect(runOfVersion("3f2b1c9a-0000-8000-a000-000000000000", "app/S")).toBeUndefined();
    expect(rotationToken("a", "x")).toHaveLength(32);
    expect(rotationToken("r".repeat(41), "x")).toHaveLength(48); // too long to embed: a plain hash
  });

  it("pending → promote: AWSPENDING then AWSCURRENT, previous with its grace tags, no AWSPENDING left", async () => {
    expect(rotationOf(store)).toBe(store.rotation);
    for (const [i, value] of ["v2", "v3"].entries()) {
      const runId = `run-${i}`;
      const version = await store.rotation.putPending("app/S", value, runId);
      expect(await store.rotation.putPending("app/S", value, runId)).toBe(version);
      expect(stagesOf("app/S")[version]).toEqual(["AWSPENDING"]);
      const before = await store.rotation.readLabels("app/S");
      expect(before).toMatchObject({ current: { value: i === 0 ? "v1" : "v2" }, pending: { version, value, runId } });
      await store.rotation.promote({
        name: "app/S",
        pendingVersion: version,
        graceUntil: until,
        runId,
        notes: { strategy: "generic", role: i === 0 ? "app user" : "x" },
      });
      await store.rotation.promote({ name: "app/S", pendingVersion: version, graceUntil: until, runId, notes: {} }); // idempotent
      expect(pendingLeft("app/S")).toBe(false);
    }
    const labels = await store.rotation.readLabels("app/S");
    expect(labels).toMatchObject({
      current: { value: "v3", runId: "run-1" },
      previous: { value: "v2" },
      graceUntil: until,
      notes: { strategy: "generic", role: "x" },
    });
    expect(labels?.pending).toBeUndefined();
    const tags = Object.fromEntries(h.server.state.find("app/S")?.tags ?? []);
    expect(tags).toEqual({
      "managed-by": "secretshift",
      "secretshift:grace-until": until.toISOString(),
      "secretshift:grace-version": labels?.previous?.version,
      "secretshift:note:strategy": "generic",
      "secretshift:note:role": "x",
    });
    expect(await store.rotation.listGrace()).toEqual([
      { name: "app/S", previousVersion: labels?.previous?.version, graceUntil: until, notes: { strategy: "generic", role: "x" } },
    ]);
  });

  it("notes are encoded to fit AWS tag rules and read back as they were", async () => {
    const v = await store.rotation.putPending("app/S", "v2", "r1");
    const notes = { "expire-role": 'Odd "Role" ü', db: "db.example:5432/app" };
    await store.rotation.promote({ name: "app/S", pendingVersion: v, graceUntil: until, runId: "r1", notes });
    const tags = [...(h.server.state.find("app/S")?.tags.entries() ?? [])];
    for (const [k, val] of tags) expect(k + val).toMatch(/^[A-Za-z0-9_.:/+@=-]*$/);
    expect((await store.rotation.readLabels("app/S"))?.notes).toEqual(notes);
    const v3 = await store.rotation.putPending("app/S", "v3", "r2");
    const long = { role: "x".repeat(300) };
    await expect(store.rotation.promote({ name: "app/S", pendingVersion: v3, graceUntil: until, runId: "r2", notes: long })).rejects.toMatchObject({
      code: "ROTATION_NOTE_TOO_LONG",
    });
    expect((await store.rotation.readLabels("app/S"))?.current.value).toBe("v2"); // refused before any write
  });

  it("a pending version of another run is a conflict; discard removes AWSPENDING only for its own run", async () => {
    await store.rotation.putPending("app/S", "v2", "a");
    await expect(store.rotation.putPending("app/S", "x", "b")).rejects.toBeInstanceOf(ConflictError);
    expect(await store.rotation.discardPending("app/S", "b")).toBe(false);
    expect(await store.rotation.discardPending("app/S", "a")).toBe(true);
    expect(await store.rotation.discardPending("app/S")).toBe(false);
    expect(pendingLeft("app/S")).toBe(false);
    expect(await store.rotation.readLabels("app/S")).toMatchObject({ current: { value: "v1" } });
    // The same run again gets its (now unlabelled) version back as pending.
    const again = await store.rotation.putPending("app/S", "v2", "a");
    expect(stagesOf("app/S")[again]).toEqual(["AWSPENDING"]);
    await expect(
      store.rotation.promote({ name: "app/S", pendingVersion: "nope-0000000000000000000000000000", graceUntil: until, runId: "a", notes: {} }),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it("a promotion that died after moving AWSCURRENT reads as pending and is finished by promote", async () => {
    const v = await store.rotation.putPending("app/S", "v2", "r1");
    const old = (await store.rotation.readLabels("app/S"))?.current.version ?? "";
    // The state after promote's first call (AWSCURRENT moved) when the process died before the rest.
    const s = h.server.state.find("app/S");
    const target = s?.versions.get(v);
    if (!s || !target) throw new Error("no version");
    h.server.state.moveStage(s, "AWSCURRENT", target);
    expect(await store.rotation.readLabels("app/S")).toMatchObject({
      current: { version: v },
      pending: { version: v, runId: "r1" },
      previous: { version: old },
    });
    await store.rotation.promote({ name: "app/S", pendingVersion: v, graceUntil: until, runId: "r1", notes: { strategy: "generic" } });
    expect(pendingLeft("app/S")).toBe(false);
    expect(await store.rotation.readLabels("app/S")).toMatchObject({ current: { version: v }, previous: { version: old }, graceUntil: until });
  });

  it("AWSPENDING left on the version a promotion made current is replaced by the next rotation's pending version", async () => {
    const v = await store.rotation.putPending("app/S", "v2", "r1");
    const s = h.server.state.find("app/S");
    const target = s?.versions.get(v);
    if (!s || !target) throw new Error("no version");
    h.server.state.moveStage(s, "AWSCURRENT", target); // promoted; AWSPENDING still on it
    const next = await store.rotation.putPending("app/S", "v3", "r2");
    expect(stagesOf("app/S")[v]).toEqual(["AWSCURRENT"]);
    expect(stagesOf("app/S")[next]).toEqual(["AWSPENDING"]);
    expect(await store.rotation.readLabels("app/S")).toMatchObject({ current: { value: "v2" }, pending: { value: "v3", runId: "r2" } });
  });

  it("a promotion whose grace record is refused still leaves the new value current and no AWSPENDING", async () => {
    const v = await store.rotation.putPending("app/S", "v2", "r1");
    h.server.setOptions({ denied: ["TagResource"] });
    await expect(store.rotation.promote({ name: "app/S", pendingVersion: v, graceUntil: until, runId: "r1", notes: {} })).rejects.toMatchObject({
      code: expect.any(String),
    });
    expect(pendingLeft("app/S")).toBe(false);
    expect(await store.rotation.readLabels("app/S")).toMatchObject({ current: { version: v, value: "v2" }, previous: { value: "v1" } });
  });

  it("dropPrevious removes AWSPREVIOUS and the grace tags, only for the named version", async () => {
    const v = await store.rotation.putPending("app/S", "v2", "a");
    await store.rotation.promote({ name: "app/S", pendingVersion: v, graceUntil: until, runId: "a", notes: { role: "x" } });
    const previous = (await store.rotation.readLabels("app/S"))?.previous?.version ?? "";
    expect(await store.rotation.dropPrevious("app/S", "other")).toBe(false);
    expect(await store.rotation.dropPrevious("app/S", previous)).toBe(true);
    expect(await store.rotation.dropPrevious("app/S", previous)).toBe(false);
    const labels = await store.rotation.readLabels("app/S");
    expect(labels?.previous).toBeUndefined();
    expect(labels?.graceUntil).toBeUndefined();
    expect([...(h.server.state.find("app/S")?.tags.keys() ?? [])]).toEqual(["managed-by"]);
    expect(await store.rotation.listGrace()).toEqual([]);
  });

  it("a missing or deleted secret has no labels and cannot get a pending version", async () => {
    expect(await store.rotation.readLabels("app/MISSING")).toBeUndefined();
    await expect(store.rotation.putPending("app/MISSING", "x", "a")).rejects.toMatchObject({ code: "SECRET_NOT_FOUND" });
  });
});
