import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KubernetesServer, startKubernetesServer } from "./kubernetes.js";

const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("loopback Kubernetes API server (core/v1 Secrets)", () => {
  let server: KubernetesServer;
  beforeAll(async () => {
    server = await startKubernetesServer({ tokens: { admin: { user: "admin" }, reader: { user: "reader", verbs: ["get", "list"] } } });
  });
  afterAll(() => server?.stop());

  // Status and Secret bodies are read loosely here; the assertions say what each must hold.
  // biome-ignore lint/suspicious/noExplicitAny: JSON from the wire, checked field by field below
  type Body = Record<string, any>;
  async function call(method: string, path: string, body?: unknown, token = "admin", contentType = "application/json") {
    const res = await fetch(`${server.url}/api/v1/namespaces/${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": contentType },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Body };
  }

  it("creates, reads, lists by label, patches, replaces with resourceVersion and deletes", async () => {
    const created = await call("POST", "default/secrets", {
      metadata: { name: "app", labels: { tier: "web" } },
      data: { A: b64("1") },
      stringData: { B: "2" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ kind: "Secret", apiVersion: "v1", type: "Opaque", data: { A: b64("1"), B: b64("2") } });
    const rv = created.body.metadata.resourceVersion as string;

    expect((await call("GET", "default/secrets/app")).body.metadata.resourceVersion).toBe(rv);
    const listed = await call("GET", "default/secrets?labelSelector=tier%3Dweb");
    expect(listed.body.kind).toBe("SecretList");
    expect(listed.body.items.map((s: { metadata: { name: string } }) => s.metadata.name)).toEqual(["app"]);
    expect((await call("GET", "default/secrets?labelSelector=tier%3Ddb")).body.items).toEqual([]);

    const patched = await call("PATCH", "default/secrets/app", { data: { A: null, C: b64("3") } }, "admin", "application/merge-patch+json");
    expect(patched.body.data).toEqual({ B: b64("2"), C: b64("3") });
    expect((await call("PATCH", "default/secrets/app", [{ op: "remove" }], "admin", "application/json-patch+json")).status).toBe(415);

    const stale = await call("PUT", "default/secrets/app", { metadata: { name: "app", resourceVersion: rv }, data: {} });
    expect(stale.body).toMatchObject({ kind: "Status", status: "Failure", reason: "Conflict", code: 409 });
    const fresh = await call("PUT", "default/secrets/app", {
      metadata: { name: "app", resourceVersion: patched.body.metadata.resourceVersion },
      data: { D: b64("4") },
    });
    expect(fresh.status).toBe(200);
    expect(fresh.body.data).toEqual({ D: b64("4") });

    expect((await call("DELETE", "default/secrets/app", { preconditions: { resourceVersion: rv } })).body.reason).toBe("Conflict");
    expect((await call("DELETE", "default/secrets/app", { preconditions: { resourceVersion: fresh.body.metadata.resourceVersion } })).status).toBe(200);
    expect((await call("GET", "default/secrets/app")).body).toMatchObject({ reason: "NotFound", code: 404, message: 'secrets "app" not found' });
    expect(server.counts).toMatchObject({ create: 1, patch: 2, update: 2, delete: 2 });
  });

  it("answers with Status objects: AlreadyExists, Invalid keys, names and sizes, 401 and 403", async () => {
    expect((await call("POST", "default/secrets", { metadata: { name: "dup" }, data: {} })).status).toBe(201);
    expect((await call("POST", "default/secrets", { metadata: { name: "dup" }, data: {} })).body).toMatchObject({ reason: "AlreadyExists", code: 409 });
    const badKey = await call("POST", "default/secrets", { metadata: { name: "bad" }, data: { "a/b": b64("x") } });
    expect(badKey.body).toMatchObject({ reason: "Invalid", code: 422 });
    expect(badKey.body.details.causes[0].field).toBe("data[a/b]");
    expect((await call("POST", "default/secrets", { metadata: { name: "Upper" }, data: {} })).body.reason).toBe("Invalid");
    const big = { A: b64("x".repeat(600 * 1024)), B: b64("y".repeat(600 * 1024)) };
    expect((await call("POST", "default/secrets", { metadata: { name: "big" }, data: big })).body.message).toMatch(/data: Too long/);
    expect((await call("POST", "nowhere/secrets", { metadata: { name: "x" }, data: {} })).body.message).toBe('namespaces "nowhere" not found');
    expect((await call("GET", "default/secrets/dup", undefined, "nope")).body).toMatchObject({ reason: "Unauthorized", code: 401 });
    const denied = await call("PUT", "default/secrets/dup", { metadata: { name: "dup" }, data: {} }, "reader");
    expect(denied.body).toMatchObject({ reason: "Forbidden", code: 403 });
    expect(denied.body.message).toContain('User "reader" cannot update resource "secrets"');
  });
});
