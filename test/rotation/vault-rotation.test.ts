import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SecretStore } from "../../src/providers/types.js";
import { ConflictError } from "../../src/providers/types.js";
import { type RotatingStore, rotationOf } from "../../src/rotation/types.js";
import { openStore } from "../providers/vault-fixture.js";
import { startVaultServer, type VaultServer } from "../servers/vault.js";

let server: VaultServer;
let seq = 0;
const until = new Date("2026-01-02T00:00:00Z");

beforeAll(async () => {
  server = await startVaultServer();
});
afterAll(() => server.stop());

/** A v2 store (real node-vault) and a fresh secret `<p>/S` holding `v1` next to another field. */
async function rotating(): Promise<{ store: SecretStore & { rotation: RotatingStore }; name: string; key: () => ReturnType<typeof server.kv2.keys.get> }> {
  const name = `r${seq++}/S`;
  server.kv2.put(name, { value: "v1", username: "app" });
  const { store } = await openStore(server);
  const rotation = rotationOf(store);
  if (!rotation) throw new Error("KV v2 store should rotate");
  return { store: Object.assign(store, { rotation }), name, key: () => server.kv2.keys.get(name) };
}
const promote = (
  store: { rotation: RotatingStore },
  name: string,
  pendingVersion: string,
  runId: string,
  notes: Record<string, string> = { strategy: "generic" },
) => store.rotation.promote({ name, pendingVersion, graceUntil: until, runId, notes });

describe("vault KV v2 RotatingStore (node-vault against the wire-level server)", () => {
  it("pending is a version written with cas; reads keep going to the version named current until promote", async () => {
    const { store, name, key } = await rotating();
    const v2 = await store.rotation.putPending(name, "v2", "run-a");
    expect(v2).toBe("2");
    expect(await store.rotation.putPending(name, "v2", "run-a")).toBe("2"); // idempotent for the same run
    expect(server.kv2.get(name, 2)).toEqual({ value: "v2", username: "app" });
    expect(key()?.custom).toEqual({ "current-version": "1", "head-version": "2", "pending-version": "2", "pending-run": "run-a" });
    expect((await store.readMany([name])).get(name)).toEqual({ name, value: "v1", version: "1" });
    expect(await store.rotation.readLabels(name)).toMatchObject({
      current: { version: "1", value: "v1" },
      pending: { version: "2", value: "v2", runId: "run-a" },
    });

    await promote(store, name, v2, "run-a");
    await promote(store, name, v2, "run-a", {}); // idempotent
    expect(key()?.custom).toEqual({
      "current-version": "2",
      "current-run": "run-a",
      "last-run": "run-a",
      "previous-version": "1",
      "grace-until": until.toISOString(),
      "head-version": "2",
      "note:strategy": "generic",
    });
    expect((await store.readMany([name])).get(name)).toEqual({ name, value: "v2", version: "2" });
    expect(await store.rotation.readLabels(name)).toEqual({
      current: { version: "2", value: "v2", runId: "run-a" },
      previous: { version: "1", value: "v1" },
      graceUntil: until,
      notes: { strategy: "generic" },
    });
    expect(await store.rotation.listGrace()).toContainEqual({ name, previousVersion: "1", graceUntil: until, notes: { strategy: "generic" } });

    // A second rotation drops (destroys) the older previous.
    await promote(store, name, await store.rotation.putPending(name, "v3", "run-b"), "run-b");
    expect(key()?.versions.get(1)?.destroyed).toBe(true);
    expect(await store.rotation.readLabels(name)).toMatchObject({ current: { version: "3", value: "v3" }, previous: { version: "2", value: "v2" } });
  });

  it("discardPending destroys the pending version; current stays readable and an update after it still works", async () => {
    const { store, name, key } = await rotating();
    await store.rotation.putPending(name, "v2", "a");
    await expect(store.rotation.putPending(name, "x", "b")).rejects.toBeInstanceOf(ConflictError);
    expect(await store.rotation.discardPending(name, "b")).toBe(false);
    expect(await store.rotation.discardPending(name, "a")).toBe(true);
    expect(key()?.versions.get(2)?.destroyed).toBe(true);
    expect(key()?.custom).toEqual({ "current-version": "1", "head-version": "2" });
    const labels = await store.rotation.readLabels(name);
    expect(labels).toMatchObject({ current: { version: "1", value: "v1" } });
    expect(labels?.pending).toBeUndefined();
    const current = (await store.readMany([name])).get(name);
    expect(current).toEqual({ name, value: "v1", version: "1" });
    // migrate's update: check-and-set against the destroyed head, after which the latest is current again.
    expect(await store.write({ kind: "update", name, value: "v9", expectedVersion: "1", runId: "m2" })).toEqual({ version: "3" });
    expect((await store.readMany([name])).get(name)).toEqual({ name, value: "v9", version: "3" });
    expect(await store.rotation.readLabels(name)).toMatchObject({ current: { version: "3", value: "v9" } });
  });

  it("a marker left by a crash before the write is harmless and taken over", async () => {
    const { store, name, key } = await rotating();
    const entry = key();
    if (!entry) throw new Error("no key");
    entry.custom = { "current-version": "1", "head-version": "2", "pending-version": "2", "pending-run": "dead" };
    expect((await store.readMany([name])).get(name)?.value).toBe("v1");
    expect((await store.rotation.readLabels(name))?.pending).toBeUndefined();
    expect(await store.rotation.putPending(name, "v2", "next")).toBe("2");
    expect(key()?.custom?.["pending-run"]).toBe("next");
  });

  it("a write by someone else after the pending makes the latest current and blocks promote", async () => {
    const { store, name } = await rotating();
    const v2 = await store.rotation.putPending(name, "v2", "a");
    server.kv2.put(name, { value: "by-hand" });
    expect((await store.readMany([name])).get(name)?.value).toBe("by-hand");
    await expect(promote(store, name, v2, "a")).rejects.toBeInstanceOf(ConflictError);
    expect(await store.rotation.discardPending(name, "a")).toBe(true);
    expect(await store.rotation.readLabels(name)).toMatchObject({ current: { version: "3", value: "by-hand" } });
  });

  it("dropPrevious destroys the previous version and its grace record, only for the named version", async () => {
    const { store, name, key } = await rotating();
    await promote(store, name, await store.rotation.putPending(name, "v2", "a"), "a", { role: "x" });
    expect(await store.rotation.dropPrevious(name, "9")).toBe(false);
    expect(await store.rotation.dropPrevious(name, "1")).toBe(true);
    expect(await store.rotation.dropPrevious(name, "1")).toBe(false);
    expect(key()?.versions.get(1)?.destroyed).toBe(true);
    const labels = await store.rotation.readLabels(name);
    expect(labels?.previous).toBeUndefined();
    expect(labels?.graceUntil).toBeUndefined();
    expect(key()?.custom).toEqual({ "current-version": "2", "current-run": "a", "last-run": "a", "head-version": "2" });
    expect((await store.rotation.listGrace()).map((g) => g.name)).not.toContain(name);
  });

  it("notes are encoded for custom_metadata; a record that would exceed 64 keys is refused before any write", async () => {
    const { store, name, key } = await rotating();
    const notes = { "expire-role": "Odd\tRole ü", db: "db:5432/app" };
    await promote(store, name, await store.rotation.putPending(name, "v2", "a"), "a", notes);
    expect((await store.rotation.readLabels(name))?.notes).toEqual(notes);
    const many = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`n${i}`, "x"]));
    const v3 = await store.rotation.putPending(name, "v3", "b");
    await expect(promote(store, name, v3, "b", many)).rejects.toMatchObject({ code: "VAULT_METADATA_FULL" });
    expect(key()?.custom?.["current-version"]).toBe("2");
  });

  it("KV v1 keeps no versions: the store says it cannot rotate, and why", async () => {
    const { store } = await openStore(server, { kvVersion: 1 });
    expect(rotationOf(store)).toBeUndefined();
    expect(store.cannotRotate).toMatch(/KV v1 keeps no versions/);
  });
});
