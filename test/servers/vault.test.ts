import nodeVault from "node-vault";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startVaultServer, type VaultServer } from "./vault.js";

type Client = ReturnType<typeof nodeVault>;

/** The status and body node-vault rejects with (it resolves only on 200/204). */
async function failure(p: Promise<unknown>): Promise<{ status: number; body: { errors?: string[]; data?: unknown; warnings?: string[] } }> {
  try {
    await p;
  } catch (e) {
    const r = (e as { response?: { statusCode: number; body: never } }).response;
    if (r) return { status: r.statusCode, body: r.body };
    throw e;
  }
  throw new Error("expected the call to fail");
}

describe("test/servers/vault.ts with the real node-vault client", () => {
  let server: VaultServer;
  let vault: Client;
  let t = Date.parse("2026-01-01T00:00:00Z");
  const client = (opts: Parameters<typeof nodeVault>[0] = {}) => nodeVault({ endpoint: server.url, token: server.rootToken, noCustomHTTPVerbs: true, ...opts });

  beforeAll(async () => {
    server = await startVaultServer({ now: () => t });
  });
  afterAll(() => server.stop());
  beforeEach(() => {
    server.setOptions({ deny: [], sealed: false, faults: [], rateLimit: undefined, casRequired: false, namespace: undefined });
    server.resetCounts();
    vault = client();
  });

  it("KV v2 writes versions with the documented envelope and enforces cas", async () => {
    const first = await vault.write("secret/data/app/db", { data: { value: "one" }, options: { cas: 0 } });
    expect(first).toMatchObject({
      lease_id: "",
      renewable: false,
      lease_duration: 0,
      data: { version: 1, destroyed: false, deletion_time: "", custom_metadata: null },
    });
    const mismatch = await failure(vault.write("secret/data/app/db", { data: { value: "two" }, options: { cas: 0 } }));
    expect(mismatch).toEqual({ status: 400, body: { errors: ["check-and-set parameter did not match the current version"] } });
    await vault.write("secret/data/app/db", { data: { value: "two", user: "u" }, options: { cas: 1 } });
    const read = await vault.read("secret/data/app/db");
    expect(read.data).toMatchObject({ data: { value: "two", user: "u" }, metadata: { version: 2 } });
    expect((await vault.read("secret/data/app/db?version=1")).data.data).toEqual({ value: "one" });
    expect(await failure(vault.read("secret/data/app/nope"))).toEqual({ status: 404, body: { errors: [] } });
    expect((await failure(vault.write("secret/data/app/x", { options: { cas: 0 } }))).body.errors).toEqual(["no data provided"]);
    const v1style = await failure(vault.read("secret/app/db"));
    expect(v1style.status).toBe(404);
    expect(v1style.body.warnings?.[0]).toContain("Invalid path for a versioned K/V secrets engine");
    server.setOptions({ casRequired: true });
    expect((await failure(vault.write("secret/data/app/db", { data: { value: "3" } }))).body.errors).toEqual([
      "check-and-set parameter required for this call",
    ]);
    expect(server.counts["kv2.data.write"]).toBe(5);
  });

  it("deletes, undeletes and destroys versions; a deleted latest version is a 404 carrying metadata", async () => {
    await vault.write("secret/data/del/k", { data: { value: "a" } });
    await vault.write("secret/data/del/k", { data: { value: "b" } });
    await vault.delete("secret/data/del/k");
    const gone = await failure(vault.read("secret/data/del/k"));
    expect(gone.status).toBe(404);
    expect(gone.body.data).toMatchObject({ data: null, metadata: { version: 2 } });
    await vault.write("secret/undelete/del/k", { versions: [2] });
    expect((await vault.read("secret/data/del/k")).data.data).toEqual({ value: "b" });
    await vault.write("secret/destroy/del/k", { versions: [1] });
    expect((await failure(vault.read("secret/data/del/k?version=1"))).body.data).toMatchObject({ metadata: { destroyed: true } });
    expect((await failure(vault.write("secret/delete/del/k", { versions: [] }))).status).toBe(400);
    const meta = await vault.read("secret/metadata/del/k");
    expect(meta.data).toMatchObject({ current_version: 2, oldest_version: 1, versions: { "1": { destroyed: true } } });
    await vault.delete("secret/metadata/del/k");
    expect((await failure(vault.read("secret/metadata/del/k"))).status).toBe(404);
  });

  it("drops the oldest versions past max_versions", async () => {
    await vault.write("secret/metadata/mv", { max_versions: 2 });
    for (const v of ["a", "b", "c"]) await vault.write("secret/data/mv", { data: { value: v } });
    const meta = await vault.read("secret/metadata/mv");
    expect(meta.data).toMatchObject({ current_version: 3, oldest_version: 2 });
    expect(Object.keys(meta.data.versions)).toEqual(["2", "3"]);
    expect((await failure(vault.read("secret/data/mv?version=1"))).body).toEqual({ errors: [] });
  });

  it("enforces the custom_metadata limits and merges on PATCH", async () => {
    await vault.write("secret/data/cm", { data: { value: "x" } });
    const tooMany = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, "v"]));
    const many = await failure(vault.write("secret/metadata/cm", { custom_metadata: tooMany }));
    expect(many.status).toBe(400);
    expect(many.body.errors?.[0]).toContain("custom_metadata validation failed: payload must contain at most 64 keys, provided 65");
    const long = await failure(vault.write("secret/metadata/cm", { custom_metadata: { k: "v".repeat(513), ["x".repeat(129)]: "v" } }));
    expect(long.body.errors?.[0]).toMatch(/^2 errors occurred:\n\t\* custom_metadata validation failed: length of /);
    expect(long.body.errors?.[0]).toContain('length of value for key "k" is 513 but must be 0 < len(value) <= 512');
    expect((await failure(vault.write("secret/metadata/cm", { custom_metadata: { k: "a\u0007b" } }))).body.errors?.[0]).toContain("unprintable");
    await vault.write("secret/metadata/cm", { custom_metadata: { owner: "team", keep: "yes" } });
    await vault.update("secret/metadata/cm", { custom_metadata: { owner: null, "managed-by": "secretshift" } });
    expect((await vault.read("secret/metadata/cm")).data.custom_metadata).toEqual({ keep: "yes", "managed-by": "secretshift" });
    const plain = await fetch(`${server.url}/v1/secret/metadata/cm`, {
      method: "PATCH",
      headers: { "X-Vault-Token": server.rootToken, "Content-Type": "application/json" },
      body: "{}",
    });
    expect(plain.status).toBe(415);
    expect((await failure(vault.update("secret/metadata/none", { custom_metadata: { a: "b" } }))).status).toBe(404);
  });

  it("lists with ?list=1, ?list=true and the LIST verb alike; empty is a 404", async () => {
    await vault.write("secret/data/ls/a", { data: { value: "1" } });
    await vault.write("secret/data/ls/dir/b", { data: { value: "2" } });
    expect((await vault.list("secret/metadata/ls")).data.keys).toEqual(["a", "dir/"]);
    const verb = client({ noCustomHTTPVerbs: false });
    expect((await verb.list("secret/metadata/ls/")).data.keys).toEqual(["a", "dir/"]);
    expect(server.counts["verb.LIST"]).toBe(1);
    const query = await fetch(`${server.url}/v1/secret/metadata/ls/dir?list=true`, { headers: { "X-Vault-Token": server.rootToken } });
    expect(((await query.json()) as { data: { keys: string[] } }).data.keys).toEqual(["b"]);
    expect(await failure(vault.list("secret/metadata/empty"))).toEqual({ status: 404, body: { errors: [] } });
  });

  it("KV v1: write answers 204, read returns the data itself, list and delete", async () => {
    expect(await vault.write("kv/app/one", { value: "1", other: "o" })).toBe("");
    expect((await vault.read("kv/app/one")).data).toEqual({ value: "1", other: "o" });
    expect((await vault.list("kv/app")).data.keys).toEqual(["one"]);
    await vault.delete("kv/app/one");
    expect((await failure(vault.read("kv/app/one"))).status).toBe(404);
  });

  it("reports mounts through sys/internal/ui/mounts and sys/mounts", async () => {
    expect((await vault.read("sys/internal/ui/mounts/secret")).data).toMatchObject({ type: "kv", path: "secret/", options: { version: "2" } });
    expect((await vault.read("sys/internal/ui/mounts/kv/deep/path")).data).toMatchObject({ path: "kv/", options: null });
    expect((await failure(vault.read("sys/internal/ui/mounts/nope"))).status).toBe(403);
    const mounts = await vault.mounts();
    expect(mounts["secret/"]).toMatchObject({ type: "kv", options: { version: "2" } });
    expect(mounts.data["kv/"]).toMatchObject({ type: "kv", options: null });
  });

  it("AppRole login issues a TTL token; renew-self extends it up to the max TTL; expired tokens are refused", async () => {
    server.setOptions({ tokenTtl: 60, tokenMaxTtl: 150 });
    const app = client({ token: undefined });
    expect((await failure(app.approleLogin({ role_id: server.approle.roleId, secret_id: "wrong" }))).body.errors).toEqual(["invalid role or secret ID"]);
    const login = await app.approleLogin({ role_id: server.approle.roleId, secret_id: server.approle.secretId });
    expect(login.auth).toMatchObject({ lease_duration: 60, renewable: true, policies: ["default", "secretshift"] });
    expect(app.token).toBe(login.auth.client_token);
    t += 50_000;
    expect((await app.tokenRenewSelf()).auth.lease_duration).toBe(60);
    t += 50_000;
    const capped = await app.tokenRenewSelf();
    expect(capped.auth.lease_duration).toBe(50);
    expect(capped.warnings[0]).toContain("capped");
    expect((await app.tokenLookupSelf()).data).toMatchObject({ ttl: 50, renewable: true });
    t += 51_000;
    expect(await failure(app.read("secret/data/app/db"))).toEqual({ status: 403, body: { errors: ["permission denied"] } });
    expect(server.counts["auth.approle.login"]).toBe(2);
    expect(server.counts["auth.token.renew-self"]).toBe(2);
  });

  it("applies per-path, per-capability deny rules, quotas, sealing, namespaces and injected faults", async () => {
    server.setOptions({ deny: [{ path: "secret/data/locked/*", capabilities: ["create", "update"] }] });
    expect((await failure(vault.write("secret/data/locked/a", { data: { value: "x" } }))).status).toBe(403);
    expect((await failure(vault.read("secret/data/locked/a"))).status).toBe(404);
    expect(server.counts.denied).toBe(1);

    server.setOptions({ deny: [], rateLimit: { requests: 2, intervalMs: 1000 } });
    await vault.read("sys/internal/ui/mounts/secret");
    await vault.read("sys/internal/ui/mounts/secret");
    const limited = await failure(vault.read("sys/internal/ui/mounts/secret"));
    expect(limited).toEqual({ status: 429, body: { errors: ['request path "sys/internal/ui/mounts/secret": rate limit quota exceeded'] } });
    t += 1000;
    server.setOptions({ rateLimit: undefined, sealed: true });
    expect(await failure(vault.read("secret/data/app/db"))).toEqual({ status: 503, body: { errors: ["Vault is sealed"] } });
    expect((await vault.status()).sealed).toBe(true);

    server.setOptions({ sealed: false, namespace: "team-a" });
    expect((await failure(vault.read("sys/internal/ui/mounts/secret"))).status).toBe(403);
    await client({ namespace: "team-a" }).read("sys/internal/ui/mounts/secret");

    server.setOptions({
      namespace: undefined,
      faults: [
        { path: "secret/data/*", method: "GET", status: 412, times: 1 },
        { path: /^kv\//, destroy: true, times: 1 },
      ],
    });
    expect((await failure(vault.read("secret/data/x"))).status).toBe(412);
    expect((await failure(vault.read("secret/data/x"))).status).toBe(404);
    await expect(vault.read("kv/x")).rejects.toMatchObject({ code: "ECONNRESET" });
    expect(server.counts["fault.412"]).toBe(1);
  });
});
