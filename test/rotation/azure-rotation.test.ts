import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAzureStore } from "../../src/providers/azure/store.js";
import { ConflictError } from "../../src/providers/types.js";
import { rotationOf } from "../../src/rotation/types.js";
import { appRead, azureReader } from "../helpers/app-read.js";
import { type AzureHarness, startAzureHarness } from "../helpers/azure-harness.js";
import { testContext } from "../helpers/provider-context.js";

let h: AzureHarness;
let seq = 0;
const until = new Date("2026-01-02T00:00:00Z");

beforeAll(async () => {
  h = await startAzureHarness();
});
afterAll(() => h.stop());

/** The real store (SDK over HTTPS) and a fresh secret `z<n>/S` holding `v1`. */
async function rotating() {
  const name = `z${seq++}/S`;
  const stored = name.replace("/", "--");
  const store = await createAzureStore(testContext(h.options, h.env));
  await store.connect();
  await store.write({ kind: "create", name, value: "v1", runId: "m1" });
  const rotation = rotationOf(store);
  if (!rotation) throw new Error("azure should rotate");
  const reader = await azureReader(h.server, stored);
  const reads = async (value: string) => expect(await appRead(reader)).toEqual({ status: 200, value });
  const secret = () => h.server.model.secrets.get(stored.toLowerCase());
  const sibling = () => h.server.model.secrets.get(`secretshift-pending--${stored}`.toLowerCase());
  const promote = (pendingVersion: string, runId: string, notes: Record<string, string> = { strategy: "generic" }) =>
    rotation.promote({ name, pendingVersion, graceUntil: until, runId, notes });
  return { store, rotation, name, stored, reads, secret, sibling, promote };
}

describe("azure RotatingStore (SDK over HTTPS against the wire-level server)", () => {
  it("the pending value is a version of the sibling secret; promotion sets the real secret once, its grace record in its tags", async () => {
    const { store, rotation, name, reads, secret, sibling, promote } = await rotating();
    const v1 = secret()?.versions[0]?.id;
    const pending = await rotation.putPending(name, "v2", "run-a");
    expect(pending).toBe(sibling()?.versions[0]?.id);
    expect(await rotation.putPending(name, "v2", "run-a")).toBe(pending);
    await reads("v1");
    expect(secret()?.versions).toHaveLength(1);
    expect(sibling()?.versions[0]?.tags).toMatchObject({ "secretshift-role": "pending", "secretshift-target": name, "secretshift-run": "run-a" });
    expect(await rotation.readLabels(name)).toMatchObject({
      current: { version: v1, value: "v1" },
      pending: { version: pending, value: "v2", runId: "run-a" },
    });
    expect(await store.list("")).not.toContainEqual(expect.stringMatching(/secretshift-pending/));

    const v2 = await promote(pending, "run-a");
    expect(v2).toBe(secret()?.versions[1]?.id);
    await reads("v2");
    expect(await promote(pending, "run-a", {})).toBe(v2); // idempotent
    expect(sibling()?.versions[0]?.enabled).toBe(false);
    expect(secret()?.versions[1]?.tags).toMatchObject({
      "secretshift-run": "run-a",
      "secretshift-previous-version": v1,
      "secretshift-grace-until": until.toISOString(),
      "secretshift-note-strategy": "generic",
    });
    const labels = await rotation.readLabels(name);
    expect(labels).toEqual({
      current: { version: v2, value: "v2", runId: "run-a" },
      previous: { version: v1, value: "v1" },
      graceUntil: until,
      notes: { strategy: "generic" },
    });
    expect(await rotation.listGrace()).toContainEqual({ name, previousVersion: v1, graceUntil: until, notes: { strategy: "generic" } });

    expect(await rotation.dropPrevious(name, "nope")).toBe(false);
    expect(await rotation.dropPrevious(name, v1 ?? "")).toBe(true);
    expect(secret()?.versions[0]?.enabled).toBe(false);
    await reads("v2");
    expect((await rotation.readLabels(name))?.previous).toBeUndefined();
    expect((await rotation.listGrace()).map((g) => g.name)).not.toContain(name);

    // The next rotation reuses the sibling (a deleted one would hold its name until purged).
    const next = await rotation.putPending(name, "v3", "run-b");
    await reads("v2");
    await promote(next, "run-b");
    await reads("v3");
    expect(sibling()?.versions.map((v) => v.enabled)).toEqual([false, false]);
  });

  it("discardPending disables the pending version; another run's pending is a conflict", async () => {
    const { rotation, name, reads, secret, sibling } = await rotating();
    await rotation.putPending(name, "v2", "a");
    await expect(rotation.putPending(name, "x", "b")).rejects.toBeInstanceOf(ConflictError);
    expect(await rotation.discardPending(name, "b")).toBe(false);
    expect(await rotation.discardPending(name, "a")).toBe(true);
    expect(sibling()?.versions[0]?.enabled).toBe(false);
    expect((await rotation.readLabels(name))?.pending).toBeUndefined();
    expect(secret()?.versions).toHaveLength(1);
    await reads("v1");
  });

  it("kill -9 after the real write: reads give the new value, and promote only disables the pending version", async () => {
    const { rotation, name, stored, reads, secret, sibling, promote } = await rotating();
    const pending = await rotation.putPending(name, "v2", "a");
    const v1 = secret()?.versions[0]?.id ?? "";
    h.server.model.set(stored, "v2", { "secretshift-run": "a", "secretshift-previous-version": v1, "secretshift-grace-until": until.toISOString() }, undefined);
    await reads("v2");
    expect(await promote(pending, "a")).toBe(secret()?.versions[1]?.id);
    expect(secret()?.versions).toHaveLength(2);
    expect(sibling()?.versions[0]?.enabled).toBe(false);
  });

  it("a name whose sibling would pass 127 characters cannot be rotated, and nothing is written", async () => {
    const { store } = await rotating();
    const name = `long/${"N".repeat(110)}`;
    await store.write({ kind: "create", name, value: "v1", runId: "m1" });
    const rotation = rotationOf(store);
    await expect(rotation?.putPending(name, "v2", "a")).rejects.toMatchObject({ code: "AZURE_NAME_TOO_LONG" });
    expect(await rotation?.discardPending(name, "a")).toBe(false);
    expect((await rotation?.readLabels(name))?.current.value).toBe("v1");
  });

  it("a write by someone else after the pending blocks promote, and the real secret keeps their value", async () => {
    const { rotation, name, stored, reads } = await rotating();
    const pending = await rotation.putPending(name, "v2", "a");
    h.server.model.set(stored, "by-hand", {}, undefined);
    await expect(rotation.promote({ name, pendingVersion: pending, graceUntil: until, runId: "a", notes: {} })).rejects.toBeInstanceOf(ConflictError);
    await reads("by-hand");
  });
});
