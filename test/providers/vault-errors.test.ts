import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConflictError } from "../../src/providers/types.js";
import { startVaultServer, type VaultServer } from "../servers/vault.js";
import { fakeClock, openStore, rejection } from "./vault-fixture.js";

let server: VaultServer;
const clock = fakeClock();
let seq = 0;
const fresh = () => `e${seq++}`;
const CANARY = "CANARY-vault-9Qz7LmVt3Rk8WpN2";

beforeAll(async () => {
  server = await startVaultServer({ now: clock.ms, tokenTtl: 60, tokenMaxTtl: 200 });
});
afterAll(() => server.stop());
beforeEach(() => {
  server.setOptions({ deny: [], faults: [], sealed: false, rateLimit: undefined });
  server.resetCounts();
});

const approleEnv = () => ({ VAULT_TOKEN: "", VAULT_ROLE_ID: server.approle.roleId, VAULT_SECRET_ID: server.approle.secretId });

describe("vault provider: auth", () => {
  it("logs in with AppRole and renews (then replaces) the token during a long run", async () => {
    const p = fresh();
    const { store, events } = await openStore(server, { clock, env: approleEnv() });
    expect(server.counts["auth.approle.login"]).toBe(1);
    for (let i = 0; i < 20; i++) {
      clock.advance(10_000);
      await store.write({ kind: "create", name: `${p}/K${i}`, value: `v${i}`, runId: "long" });
    }
    expect(server.counts["auth.token.renew-self"]).toBeGreaterThanOrEqual(4);
    // Past the 200 s max TTL renewal stops extending the token, so the provider logs in again.
    expect(server.counts["auth.approle.login"]).toBe(2);
    expect(server.counts["status.403"]).toBeUndefined();
    expect(events.some((e) => e.type === "info" && e.message.startsWith("renewed the Vault token"))).toBe(true);
  });

  it("logs in again when the AppRole token expired between calls", async () => {
    const { store } = await openStore(server, { clock, env: approleEnv() });
    clock.advance(100_000);
    expect(await store.write({ kind: "create", name: `${fresh()}/X`, value: "v", runId: "r" })).toEqual({ version: "1" });
    expect(server.counts["auth.approle.login"]).toBe(2);
  });

  it("refuses bad credentials and configuration with the right exit codes", async () => {
    const wrongSecret = await rejection(openStore(server, { clock, env: { ...approleEnv(), VAULT_SECRET_ID: "wrong" } }));
    expect(wrongSecret).toMatchObject({ code: "VAULT_APPROLE_REFUSED", exitCode: 3 });
    expect(await rejection(openStore(server, { clock, env: { VAULT_TOKEN: "hvs.revoked" } }))).toMatchObject({ code: "VAULT_TOKEN_REFUSED", exitCode: 3 });
    expect(await rejection(openStore(server, { clock, env: { VAULT_TOKEN: "" } }))).toMatchObject({ code: "VAULT_NO_TOKEN", exitCode: 3 });
    expect(await rejection(openStore(server, { clock, env: { VAULT_TOKEN: "", VAULT_ROLE_ID: "r" } }))).toMatchObject({ exitCode: 2 });
    expect(await rejection(openStore(server, { clock, options: { kvVersion: "3" } }))).toMatchObject({ exitCode: 2 });
    expect(await rejection(openStore(server, { clock, env: { VAULT_SKIP_VERIFY: "maybe" } }))).toMatchObject({ exitCode: 2 });
    const home = await mkdtemp(join(tmpdir(), "secretshift-vault-home-"));
    await writeFile(join(home, ".vault-token"), `${server.rootToken}\n`);
    await openStore(server, { clock, env: { VAULT_TOKEN: "", HOME: home } });
  });

  it("sends the namespace header and falls back to sys/mounts, then asks for --kv-version", async () => {
    server.setOptions({ namespace: "team-a" });
    await openStore(server, { clock, env: { VAULT_NAMESPACE: "team-a" } });
    expect(server.log.every((l) => l.namespace === "team-a")).toBe(true);
    server.setOptions({ namespace: undefined, deny: [{ path: "sys/internal/ui/mounts/*" }] });
    const { store } = await openStore(server, { clock, kvVersion: 1 });
    expect(store.versioned).toBe(false);
    expect(server.counts["sys.mounts"]).toBe(1);
    server.setOptions({ deny: [{ path: "sys/internal/ui/mounts/*" }, { path: "sys/mounts" }] });
    const err = await rejection(openStore(server, { clock }));
    expect(err).toMatchObject({ code: "VAULT_KV_VERSION", exitCode: 2 });
    expect(err.hint).toContain("--kv-version");
  });
});

describe("vault provider: errors", () => {
  it("403 on one path fails that write with exit 3 naming the path and capability; the others are written", async () => {
    const p = fresh();
    server.setOptions({ deny: [{ path: `secret/data/${p}/LOCKED`, capabilities: ["create", "update"] }] });
    const { store } = await openStore(server, { clock });
    await store.write({ kind: "create", name: `${p}/A`, value: "a", runId: "r" });
    const err = await rejection(store.write({ kind: "create", name: `${p}/LOCKED`, value: CANARY, runId: "r" }));
    expect(err).toMatchObject({ code: "VAULT_PERMISSION_DENIED", exitCode: 3, message: `Vault denied create on secret/data/${p}/LOCKED` });
    expect(err.hint).toBe(`the token's policy needs capabilities = ["create"] on path "secret/data/${p}/LOCKED"`);
    await store.write({ kind: "create", name: `${p}/B`, value: "b", runId: "r" });
    expect([server.kv2.get(`${p}/A`), server.kv2.get(`${p}/LOCKED`), server.kv2.get(`${p}/B`)]).toEqual([{ value: "a" }, undefined, { value: "b" }]);
  });

  it("a sealed Vault is exit 3, at connect and mid-run", async () => {
    server.setOptions({ sealed: true });
    expect(await rejection(openStore(server, { clock }))).toMatchObject({ code: "VAULT_SEALED", exitCode: 3 });
    server.setOptions({ sealed: false });
    const { store } = await openStore(server, { clock });
    server.setOptions({ sealed: true });
    const err = await rejection(store.write({ kind: "create", name: `${fresh()}/S`, value: CANARY, runId: "r" }));
    expect(err).toMatchObject({ code: "VAULT_SEALED", exitCode: 3, message: `Vault at ${server.url} is sealed` });
  });

  it("retries 429 and 412 with backoff, visible as events, and succeeds", async () => {
    const p = fresh();
    const { store, events } = await openStore(server, { clock });
    server.setOptions({
      faults: [
        { path: `secret/data/${p}/*`, method: "POST", status: 429, times: 2 },
        { path: `secret/data/${p}/*`, method: "POST", status: 412, times: 1 },
      ],
    });
    const sleeps = clock.sleeps.length;
    expect(await store.write({ kind: "create", name: `${p}/R`, value: "v", runId: "r" })).toEqual({ version: "1" });
    expect(events.filter((e) => e.type === "throttled")).toHaveLength(2);
    expect(events.find((e) => e.type === "retry")).toMatchObject({ reason: `performance standby not up to date (412) on secret/data/${p}/R` });
    expect(clock.sleeps.length - sleeps).toBe(3);
    server.setOptions({ faults: [], rateLimit: { requests: 3, intervalMs: 1000 } });
    for (let i = 0; i < 6; i++) await store.write({ kind: "create", name: `${p}/Q${i}`, value: "v", runId: "r" });
    expect(server.counts["status.429"]).toBeGreaterThan(0);
  });

  it("retries 5xx then fails the item (exit 1); an ambiguous failure whose write landed is not a conflict", async () => {
    const p = fresh();
    const { store } = await openStore(server, { clock, options: { maxAttempts: "3" } });
    server.setOptions({ faults: [{ path: `secret/data/${p}/*`, method: "POST", status: 500 }] });
    const err = await rejection(store.write({ kind: "create", name: `${p}/F`, value: CANARY, runId: "r" }));
    expect(err).toMatchObject({
      code: "VAULT_SERVER_ERROR",
      exitCode: 1,
      message: `Vault answered 500 to create on secret/data/${p}/F after 3 attempts: internal error`,
    });
    expect(server.counts["fault.500"]).toBe(3);
    server.setOptions({ faults: [{ path: `secret/data/${p}/*`, method: "POST", after: true, times: 1 }] });
    expect(await store.write({ kind: "create", name: `${p}/G`, value: "landed", runId: "r" })).toEqual({ version: "1" });
    expect(server.counts["kv2.data.write"]).toBe(2);
  });

  it("a custom_metadata failure does not fail a write that succeeded", async () => {
    const p = fresh();
    server.setOptions({ deny: [{ path: `secret/metadata/${p}/*`, capabilities: ["patch"] }] });
    const { store, events } = await openStore(server, { clock });
    const long = "x".repeat(600);
    expect(await store.write({ kind: "create", name: `${p}/T`, value: "v", runId: long })).toEqual({ version: "1" });
    expect(events.some((e) => e.type === "info" && e.message.includes(`secret/metadata/${p}/T`))).toBe(true);
    server.setOptions({ deny: [] });
    await store.write({ kind: "update", name: `${p}/T`, value: "w", expectedVersion: "1", runId: long });
    expect(server.kv2.keys.get(`${p}/T`)?.custom?.["last-run"]).toHaveLength(512);
  });

  it("never puts a value in a thrown error, its hint, cause or inspection, or in an event", async () => {
    const p = fresh();
    const { store, events } = await openStore(server, { clock, options: { maxAttempts: "2" } });
    const errors: unknown[] = [];
    const attempt = async (f: () => Promise<unknown>) => errors.push(await rejection(f()));
    server.setOptions({ deny: [{ path: `secret/data/${p}/denied` }] });
    await attempt(() => store.write({ kind: "create", name: `${p}/denied`, value: CANARY, runId: "r" }));
    server.setOptions({ deny: [], faults: [{ path: `secret/data/${p}/*`, method: "POST", status: 502 }] });
    await attempt(() => store.write({ kind: "create", name: `${p}/bad`, value: CANARY, runId: "r" }));
    server.setOptions({ faults: [{ path: `secret/data/${p}/*`, method: "POST", destroy: true }] });
    await attempt(() => store.write({ kind: "create", name: `${p}/reset`, value: CANARY, runId: "r" }));
    server.setOptions({ faults: [] });
    server.kv2.put(`${p}/taken`, { value: "x" });
    await attempt(() => store.write({ kind: "create", name: `${p}/taken`, value: CANARY, runId: "r" }));
    const down = await startVaultServer({});
    const { store: lost } = await openStore(down, { clock });
    await down.stop();
    await attempt(() => lost.write({ kind: "create", name: `${p}/down`, value: CANARY, runId: "r" }));
    expect(errors[3]).toBeInstanceOf(ConflictError);
    expect(errors[4]).toMatchObject({ code: "VAULT_UNREACHABLE", exitCode: 3 });
    for (const e of errors) {
      const text = [inspect(e, { depth: 20, showHidden: true }), JSON.stringify(e), String((e as Error).cause ?? "")].join("\n");
      expect(text).not.toContain(CANARY);
    }
    expect(JSON.stringify(events)).not.toContain(CANARY);
  });
});
