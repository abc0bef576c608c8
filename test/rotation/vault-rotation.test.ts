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

/** What `vault kv get` / Vault Agent / an application gets: a plain GET of the data path, over HTTP. */
async function appRead(name: string): Promise<{ status: number; value?: unknown }> {
  const res = await fetch(`${server.url}/v1/secret/data/${name}`, { headers: { "X-Vault-Token": server.rootToken } });
  const body = (await res.json().catch(() => ({}))) as { data?: { data?: Record<string, unknown> } };
  return { status: res.status, ...(res.ok ? { value: body.data?.data?.value } : {}) };
}

/** A v2 store (real node-vault) and a fresh secret `<p>/S` holding `v1` next to another field. */
async function rotating() {
  const name = `r${seq++}/S`;
  server.kv2.put(name, { value: "v1", username: "app" });
  const { store } = await openStore(server);
  const rotation = rotationOf(store);
  if (!rotation) throw new Error("KV v2 store should rotate");
  const sibling = () => server.kv2.keys.get(`secretshift-pending/${name}`);
  const reads = async (value: string) => expect(await appRead(name)).toEqual({ status: 200, value });
  return { store: Object.assign(store as SecretStore, { rotation }), name, key: () => server.kv2.keys.get(name), sibling, reads };
}
const promote = (
  store: { rotation: RotatingStore },
  name: string,
  pendingVersion: string,
  runId: string,
  notes: Record<string, string> = { strategy: "generic" },
) => store.rotation.promote({ name, pendingVersion, graceUntil: until, runId, notes });

describe("vault KV v2 RotatingStore (node-vault against the wire-level server)", () => {
  it("the pending value waits at secretshift-pending/<name>; the real key gets one cas write at promotion", async () => {
    const { store, name, key, sibling, reads } = await rotating();
    const v2 = await store.rotation.putPending(name, "v2", "run-a");
    expect(v2).toBe("2"); // the version the promotion's check-and-set write will create
    await reads("v1");
    expect(key()?.current).toBe(1);
    expect(await store.rotation.putPending(name, "v2", "run-a")).toBe("2"); // idempotent for the same run
    expect(server.kv2.get(`secretshift-pending/${name}`)).toEqual({ value: "v2", run: "run-a", target: name, replaces: 1 });
    expect(sibling()?.custom).toEqual({ "managed-by": "secretshift", "pending-run": "run-a", target: name });
    expect((await store.readMany([name])).get(name)).toEqual({ name, value: "v1", version: "1" });
    expect(await store.rotation.readLabels(name)).toMatchObject({
      current: { version: "1", value: "v1" },
      pending: { version: "2", value: "v2", runId: "run-a" },
    });

    expect(await promote(store, name, v2, "run-a")).toBe("2");
    await reads("v2");
    expect(await promote(store, name, v2, "run-a", {})).toBe("2"); // idempotent
    expect(sibling()).toBeUndefined();
    expect(server.kv2.get(name, 2)).toEqual({ value: "v2", username: "app" });
    expect(key()?.custom).toEqual({
      "current-version": "2",
      "current-run": "run-a",
      "last-run": "run-a",
      "previous-version": "1",
      "grace-until": until.toISOString(),
      "note:strategy": "generic",
    });
    expect(await store.rotation.readLabels(name)).toEqual({
      current: { version: "2", value: "v2", runId: "run-a" },
      previous: { version: "1", value: "v1" },
      graceUntil: until,
      notes: { strategy: "generic" },
    });
    expect(await store.rotation.listGrace()).toContainEqual({ name, previousVersion: "1", graceUntil: until, notes: { strategy: "generic" } });

    // A second rotation drops (destroys) the older previous.
    await promote(store, name, await store.rotation.putPending(name, "v3", "run-b"), "run-b");
    await reads("v3");
    expect(key()?.versions.get(1)?.destroyed).toBe(true);
    expect(await store.rotation.readLabels(name)).toMatchObject({ current: { version: "3", value: "v3" }, previous: { version: "2", value: "v2" } });
  });

  it("discardPending deletes the sibling; the real key was never written, so a plain read never saw a 404", async () => {
    const { store, name, key, sibling, reads } = await rotating();
    await store.rotation.putPending(name, "v2", "a");
    await expect(store.rotation.putPending(name, "x", "b")).rejects.toBeInstanceOf(ConflictError);
    expect(await store.rotation.discardPending(name, "b")).toBe(false);
    expect(await store.rotation.discardPending(name, "a")).toBe(true);
    expect(sibling()).toBeUndefined();
    await reads("v1");
    expect(key()?.current).toBe(1);
    expect(key()?.custom).toBeNull();
    expect((await store.rotation.readLabels(name))?.pending).toBeUndefined();
    expect(await store.write({ kind: "update", name, value: "v9", expectedVersion: "1", runId: "m2" })).toEqual({ version: "2" });
    await reads("v9");
  });

  it("kill -9 between promotion's steps: each state reads the old or the new value, and promote completes it", async () => {
    const { store, name, key, sibling, reads } = await rotating();
    const v2 = await store.rotation.putPending(name, "v2", "a");
    // Died after the real write, before the grace record and the sibling's removal.
    server.kv2.put(name, { value: "v2", username: "app" });
    await reads("v2");
    expect(await store.rotation.readLabels(name)).toMatchObject({ current: { version: "2", value: "v2" }, pending: { version: "2", value: "v2" } });
    expect(await promote(store, name, v2, "a")).toBe("2");
    expect(key()?.current).toBe(2);
    expect(key()?.custom?.["previous-version"]).toBe("1");
    expect(sibling()).toBeUndefined();
    await reads("v2");
  });

  it("a leftover sibling whose value is already current is replaced by the next rotation", async () => {
    const { store, name } = await rotating();
    await store.rotation.putPending(name, "v2", "a");
    server.kv2.put(name, { value: "v2", username: "app" }); // promoted; sibling left behind
    expect(await store.rotation.listPending?.()).toContainEqual({ name, version: "2", runId: "a", promoted: true });
    expect(await store.rotation.putPending(name, "v3", "b")).toBe("3");
    expect((await store.rotation.readLabels(name))?.pending).toEqual({ version: "3", value: "v3", runId: "b" });
  });

  it("a write by someone else after the pending blocks promote, and the real key keeps their value", async () => {
    const { store, name, reads } = await rotating();
    const v2 = await store.rotation.putPending(name, "v2", "a");
    server.kv2.put(name, { value: "by-hand" });
    await expect(promote(store, name, v2, "a")).rejects.toBeInstanceOf(ConflictError);
    await reads("by-hand");
    expect(await store.rotation.discardPending(name, "a")).toBe(true);
    expect(await store.rotation.readLabels(name)).toMatchObject({ current: { version: "2", value: "by-hand" } });
  });

  it("dropPrevious destroys the previous version and its grace record, only for the named version", async () => {
    const { store, name, key, reads } = await rotating();
    await promote(store, name, await store.rotation.putPending(name, "v2", "a"), "a", { role: "x" });
    expect(await store.rotation.dropPrevious(name, "9")).toBe(false);
    expect(await store.rotation.dropPrevious(name, "1")).toBe(true);
    expect(await store.rotation.dropPrevious(name, "1")).toBe(false);
    await reads("v2");
    expect(key()?.versions.get(1)?.destroyed).toBe(true);
    const labels = await store.rotation.readLabels(name);
    expect(labels?.previous).toBeUndefined();
    expect(labels?.graceUntil).toBeUndefined();
    expect(key()?.custom).toEqual({ "current-version": "2", "current-run": "a", "last-run": "a" });
    expect((await store.rotation.listGrace()).map((g) => g.name)).not.toContain(name);
  });

  it("a plain write after a rotation voids the grace record", async () => {
    const { store, name } = await rotating();
    await promote(store, name, await store.rotation.putPending(name, "v2", "a"), "a");
    server.kv2.put(name, { value: "v3" });
    const labels = await store.rotation.readLabels(name);
    expect(labels).toMatchObject({ current: { version: "3", value: "v3" }, notes: {} });
    expect(labels?.previous).toBeUndefined();
    expect((await store.rotation.listGrace()).map((g) => g.name)).not.toContain(name);
  });

  it("notes are encoded for custom_metadata; a record that would exceed 64 keys is refused before any write", async () => {
    const { store, name, key, reads } = await rotating();
    const notes = { "expire-role": "Odd\tRole ü", db: "db:5432/app" };
    await promote(store, name, await store.rotation.putPending(name, "v2", "a"), "a", notes);
    expect((await store.rotation.readLabels(name))?.notes).toEqual(notes);
    const many = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`n${i}`, "x"]));
    const v3 = await store.rotation.putPending(name, "v3", "b");
    await expect(promote(store, name, v3, "b", many)).rejects.toMatchObject({ code: "VAULT_METADATA_FULL" });
    expect(key()?.current).toBe(2);
    await reads("v2");
  });

  it("the sibling folder is neither a secret nor an extra: list skips it, and names below it are refused", async () => {
    const { store, name } = await rotating();
    await store.rotation.putPending(name, "v2", "a");
    const listed = await store.list("");
    expect(listed).toContain(name);
    expect(listed.filter((n) => n.startsWith("secretshift-pending"))).toEqual([]);
    expect(store.checkName(`secretshift-pending/${name}`).invalid).toMatch(/pending rotation values/);
  });

  it("a token that may not touch secretshift-pending/ still reads labels; rotating with it fails before anything is stored", async () => {
    const { store, name, key, reads } = await rotating();
    server.setOptions({ deny: [{ path: "secret/+/secretshift-pending/*" }] });
    try {
      expect(await store.rotation.readLabels(name)).toMatchObject({ current: { version: "1", value: "v1" } });
      await expect(store.rotation.putPending(name, "v2", "a")).rejects.toMatchObject({ code: "VAULT_PERMISSION_DENIED" });
    } finally {
      server.setOptions({ deny: [] });
    }
    expect(key()?.current).toBe(1);
    await reads("v1");
  });

  it("KV v1 keeps no versions: the store says it cannot rotate, and why", async () => {
    const { store } = await openStore(server, { kvVersion: 1 });
    expect(rotationOf(store)).toBeUndefined();
    expect(store.cannotRotate).toMatch(/KV v1 keeps no versions/);
  });
});
