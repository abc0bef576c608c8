import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConflictError } from "../../src/providers/types.js";
import { startVaultServer, type VaultServer } from "../servers/vault.js";
import { fakeClock, KEY, openStore, rejection } from "./vault-fixture.js";

let server: VaultServer;
const clock = fakeClock();
let seq = 0;
/** A fresh name prefix per test: the tests share one server. */
const fresh = () => `t${seq++}`;

beforeAll(async () => {
  server = await startVaultServer({ now: clock.ms });
});
afterAll(() => server.stop());
beforeEach(() => {
  server.setOptions({ deny: [], faults: [], sealed: false, rateLimit: undefined });
  server.resetCounts();
});

describe("vault provider, KV v2", () => {
  it("detects v2, creates with cas 0, updates with cas, keeps other fields and tags custom_metadata", async () => {
    const p = fresh();
    const { store } = await openStore(server, { clock });
    expect(store.versioned).toBe(true);
    expect(server.counts["sys.internal.ui.mounts"]).toBe(1);
    expect(await store.write({ kind: "create", name: `${p}/API_KEY`, value: "v-one", runId: "run-1" })).toEqual({ version: "1" });
    server.kv2.put(`${p}/DB`, { value: "db-old", username: "app" });
    const current = await store.readMany([`${p}/API_KEY`, `${p}/DB`, `${p}/MISSING`]);
    expect([...current.values()]).toEqual([
      { name: `${p}/API_KEY`, value: "v-one", version: "1" },
      { name: `${p}/DB`, value: "db-old", version: "1" },
    ]);
    expect(await store.write({ kind: "update", name: `${p}/DB`, value: "db-new", expectedVersion: "1", runId: "run-2" })).toEqual({ version: "2" });
    expect(server.kv2.get(`${p}/DB`)).toEqual({ value: "db-new", username: "app" });
    expect(server.kv2.keys.get(`${p}/DB`)?.custom).toEqual({ "managed-by": "secretshift", "last-run": "run-2" });
    expect(await store.list(`${p}/`)).toEqual([`${p}/API_KEY`, `${p}/DB`]);
    expect(await store.list(`${p}/A`)).toEqual([`${p}/API_KEY`]);
    expect(server.counts["verb.LIST"]).toBeUndefined();
    expect(store.stats.apiCalls).toBe(server.counts.total);
  });

  it("a concurrent writer between read and write makes a ConflictError and its value stays", async () => {
    const name = `${fresh()}/TOKEN`;
    const { store } = await openStore(server, { clock });
    server.kv2.put(name, { value: "planned-against" });
    const seen = (await store.readMany([name])).get(name);
    server.kv2.put(name, { value: "someone-else" });
    const err = await rejection(store.write({ kind: "update", name, value: "ours", expectedVersion: seen?.version, runId: "r" }));
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.message).toBe(`secret/data/${name} changed since it was read (expected version 1)`);
    expect(server.kv2.get(name)).toEqual({ value: "someone-else" });
    const created = `${fresh()}/NEW`;
    server.kv2.put(created, { value: "raced" });
    expect(await rejection(store.write({ kind: "create", name: created, value: "ours", runId: "r" }))).toBeInstanceOf(ConflictError);
    expect(server.kv2.get(created)).toEqual({ value: "raced" });
  });

  it("reports a soft-deleted latest version as deleted, and a path without the field as absent", async () => {
    const p = fresh();
    server.kv2.put(`${p}/gone`, { value: "x" });
    (server.kv2.keys.get(`${p}/gone`)?.versions.get(1) ?? { deletion: "" }).deletion = "2026-01-01T00:00:00Z";
    server.kv2.put(`${p}/other`, { password: "not-ours" });
    const { store } = await openStore(server, { clock, options: { field: "value" } });
    const got = await store.readMany([`${p}/gone`, `${p}/other`]);
    expect([...got.values()]).toEqual([{ name: `${p}/gone`, value: "", version: "1", deleted: true }]);
    expect(store.checkName("ok/name-1.x")).toEqual({ stored: "ok/name-1.x" });
    expect(store.checkName("bad name").invalid).toContain("letters, digits");
    expect(store.checkName("a//b").invalid).toContain("empty segment");
    expect(store.checkValue("x".repeat(2 * 1024 * 1024))).toContain("1 MiB");
  });

  it("revert: an update gets the prior version's data back as a new version; a create is removed", async () => {
    const p = fresh();
    const { store } = await openStore(server, { clock });
    server.kv2.put(`${p}/U`, { value: "before", extra: "kept" });
    await store.readMany([`${p}/U`]);
    const w = await store.write({ kind: "update", name: `${p}/U`, value: "after", expectedVersion: "1", runId: "run-r" });
    const c = await store.write({ kind: "create", name: `${p}/C`, value: "created", runId: "run-r" });
    const prior = { name: `${p}/U`, existed: true, value: "before", version: "1" };
    expect(await store.revert({ name: `${p}/U`, prior, writtenVersion: w.version, runId: "run-r" })).toBe("reverted");
    expect(server.kv2.get(`${p}/U`)).toEqual({ value: "before", extra: "kept" });
    expect(server.kv2.keys.get(`${p}/U`)?.current).toBe(3);
    expect(await store.revert({ name: `${p}/U`, prior, writtenVersion: w.version, runId: "run-r" })).toBe("already");
    expect(await store.revert({ name: `${p}/C`, prior: { name: `${p}/C`, existed: false }, writtenVersion: c.version, runId: "run-r" })).toBe("reverted");
    expect(server.kv2.keys.has(`${p}/C`)).toBe(false);
    expect(await store.revert({ name: `${p}/C`, prior: { name: `${p}/C`, existed: false }, runId: "run-r" })).toBe("already");
  });

  it("revert leaves alone what changed since the run, and uses the backup only when the prior version is destroyed", async () => {
    const p = fresh();
    const { store } = await openStore(server, { clock });
    const c = await store.write({ kind: "create", name: `${p}/C`, value: "mine", runId: "run-x" });
    server.kv2.put(`${p}/C`, { value: "theirs" });
    expect(await store.revert({ name: `${p}/C`, prior: { name: `${p}/C`, existed: false }, writtenVersion: c.version, runId: "run-x" })).toBe("changed-since");
    expect(server.kv2.get(`${p}/C`)).toEqual({ value: "theirs" });
    // Crash before the journal recorded the version: the last-run tag proves the write was the run's.
    await store.write({ kind: "create", name: `${p}/D`, value: "mine", runId: "run-x" });
    expect(await store.revert({ name: `${p}/D`, prior: { name: `${p}/D`, existed: false }, runId: "run-other" })).toBe("changed-since");
    expect(await store.revert({ name: `${p}/D`, prior: { name: `${p}/D`, existed: false }, runId: "run-x" })).toBe("reverted");

    server.kv2.put(`${p}/U`, { value: "old" });
    const w = await store.write({ kind: "update", name: `${p}/U`, value: "new", expectedVersion: "1", runId: "run-x" });
    server.kv2.keys.get(`${p}/U`)?.versions.set(1, { data: null, created: "", deletion: "", destroyed: true });
    const prior = { name: `${p}/U`, existed: true, value: "old-from-backup", version: "1" };
    expect(await store.revert({ name: `${p}/U`, prior, writtenVersion: w.version, runId: "run-x" })).toBe("reverted");
    expect(server.kv2.get(`${p}/U`)).toEqual({ value: "old-from-backup" });
  });

  it("follows --mount below the mount point and skips detection with --kv-version", async () => {
    const p = fresh();
    const { store } = await openStore(server, { clock, options: { mount: "secret/team" } });
    await store.write({ kind: "create", name: `${p}/X`, value: "v", runId: "r" });
    expect(server.kv2.get(`team/${p}/X`)).toEqual({ value: "v" });
    expect(await store.list(`${p}/`)).toEqual([`${p}/X`]);
    server.resetCounts();
    const { store: fixed } = await openStore(server, { clock, options: { kvVersion: "2" } });
    expect(fixed.versioned).toBe(true);
    expect(server.counts["sys.internal.ui.mounts"]).toBeUndefined();
  });
});

describe("vault provider, KV v1", () => {
  it("detects v1; create, read, update with a keyed fingerprint version, list, and conflicts", async () => {
    const p = fresh();
    const { store } = await openStore(server, { clock, kvVersion: 1 });
    expect(store.versioned).toBe(false);
    const created = await store.write({ kind: "create", name: `${p}/A`, value: "alpha", runId: "r" });
    expect(created.version).toMatch(/^kv1:[0-9a-f]{16}$/);
    server.kv1.put(`${p}/B`, { value: "beta", note: "kept" });
    const got = await store.readMany([`${p}/A`, `${p}/B`]);
    expect(got.get(`${p}/A`)?.version).toBe(created.version);
    const again = await openStore(server, { clock, kvVersion: 1, key: Buffer.from(KEY) });
    expect((await again.store.readMany([`${p}/A`])).get(`${p}/A`)?.version).toBe(created.version);
    const b = got.get(`${p}/B`);
    await store.write({ kind: "update", name: `${p}/B`, value: "beta-2", expectedVersion: b?.version, runId: "r" });
    expect(server.kv1.get(`${p}/B`)).toEqual({ value: "beta-2", note: "kept" });
    expect(await store.list(`${p}/`)).toEqual([`${p}/A`, `${p}/B`]);
    expect(await rejection(store.write({ kind: "create", name: `${p}/A`, value: "x", runId: "r" }))).toBeInstanceOf(ConflictError);
    server.kv1.put(`${p}/B`, { value: "someone-else" });
    expect(await rejection(store.write({ kind: "update", name: `${p}/B`, value: "x", expectedVersion: b?.version, runId: "r" }))).toBeInstanceOf(ConflictError);
    expect(server.kv1.get(`${p}/B`)).toEqual({ value: "someone-else" });
  });

  it("revert restores from the backup value and deletes creates, only over the run's own writes", async () => {
    const p = fresh();
    const { store } = await openStore(server, { clock, kvVersion: 1 });
    server.kv1.put(`${p}/U`, { value: "before" });
    const u = await store.write({ kind: "update", name: `${p}/U`, value: "after", runId: "r" });
    const c = await store.write({ kind: "create", name: `${p}/C`, value: "new", runId: "r" });
    const prior = { name: `${p}/U`, existed: true, value: "before", version: "kv1:whatever" };
    expect(await store.revert({ name: `${p}/U`, prior, writtenVersion: u.version, runId: "r" })).toBe("reverted");
    expect(server.kv1.get(`${p}/U`)).toEqual({ value: "before" });
    expect(await store.revert({ name: `${p}/U`, prior, writtenVersion: u.version, runId: "r" })).toBe("already");
    server.kv1.put(`${p}/C`, { value: "changed-by-someone" });
    expect(await store.revert({ name: `${p}/C`, prior: { name: `${p}/C`, existed: false }, writtenVersion: c.version, runId: "r" })).toBe("changed-since");
    server.kv1.put(`${p}/C`, { value: "new" });
    expect(await store.revert({ name: `${p}/C`, prior: { name: `${p}/C`, existed: false }, writtenVersion: c.version, runId: "r" })).toBe("reverted");
    expect(server.kv1.get(`${p}/C`)).toBeUndefined();
  });
});
