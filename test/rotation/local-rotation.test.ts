import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deriveKey } from "../../src/core/crypto.js";
import { LocalStore } from "../../src/providers/local/store.js";
import { ConflictError } from "../../src/providers/types.js";
import { rotationOf } from "../../src/rotation/types.js";
import { tmpdir } from "../helpers/tmpdir.js";

async function storeWith(value: string) {
  const store = new LocalStore(join(await tmpdir(), "store.enc"), deriveKey("k".repeat(40)), () => new Date("2026-01-01T00:00:00Z"));
  await store.write({ kind: "create", name: "S", value, runId: "m1" });
  await store.flush();
  return store;
}
const until = new Date("2026-01-02T00:00:00Z");

describe("local RotatingStore", () => {
  it("is found by rotationOf", async () => {
    const store = await storeWith("v1");
    expect(rotationOf(store)).toBe(store.rotation);
  });

  it("pending → promote moves labels, keeps previous with its grace end, drops the older previous", async () => {
    const store = await storeWith("v1");
    for (const [i, value] of ["v2", "v3"].entries()) {
      const runId = `r${i}`;
      const version = await store.rotation.putPending("S", value, runId);
      expect(await store.rotation.putPending("S", value, runId)).toBe(version); // idempotent for the same run
      expect((await store.rotation.readLabels("S"))?.current.value).toBe(i === 0 ? "v1" : "v2");
      await store.rotation.promote({ name: "S", pendingVersion: version, graceUntil: until, runId, notes: { strategy: "generic" } });
      await store.rotation.promote({ name: "S", pendingVersion: version, graceUntil: until, runId, notes: {} }); // idempotent
    }
    const labels = await store.rotation.readLabels("S");
    expect(labels).toMatchObject({
      current: { value: "v3", version: "3", runId: "r1" },
      previous: { value: "v2", version: "2" },
      graceUntil: until,
      notes: { strategy: "generic" },
    });
    expect(labels?.pending).toBeUndefined();
    expect(await store.rotation.listGrace()).toEqual([{ name: "S", previousVersion: "2", graceUntil: until, notes: { strategy: "generic" } }]);
    await store.close();
  });

  it("a pending version of another run is a conflict; discard only removes your own unless forced", async () => {
    const store = await storeWith("v1");
    await store.rotation.putPending("S", "v2", "a");
    await expect(store.rotation.putPending("S", "x", "b")).rejects.toBeInstanceOf(ConflictError);
    expect(await store.rotation.discardPending("S", "b")).toBe(false);
    expect(await store.rotation.discardPending("S")).toBe(true);
    expect(await store.rotation.readLabels("S")).toMatchObject({ current: { value: "v1" } });
    expect((await store.rotation.readLabels("S"))?.pending).toBeUndefined();
    await store.close();
  });

  it("dropPrevious removes only the named previous and its grace record", async () => {
    const store = await storeWith("v1");
    const v = await store.rotation.putPending("S", "v2", "a");
    await store.rotation.promote({ name: "S", pendingVersion: v, graceUntil: until, runId: "a", notes: { role: "x" } });
    expect(await store.rotation.dropPrevious("S", "9")).toBe(false);
    expect(await store.rotation.dropPrevious("S", "1")).toBe(true);
    expect(await store.rotation.dropPrevious("S", "1")).toBe(false);
    const labels = await store.rotation.readLabels("S");
    expect(labels?.previous).toBeUndefined();
    expect(labels?.graceUntil).toBeUndefined();
    expect(await store.rotation.listGrace()).toEqual([]);
    await store.close();
  });

  it("a failed write to disk leaves the store as it was", async () => {
    const store = await storeWith("v1");
    const path = (store as unknown as { path: string }).path;
    // The store file becomes a directory: the atomic rename onto it fails, as a full disk would.
    await rm(path);
    await mkdir(path);
    await expect(store.rotation.putPending("S", "v2", "a")).rejects.toThrow();
    expect((await store.rotation.readLabels("S"))?.pending).toBeUndefined();
    await store.close();
  });
});
