import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGcpStore } from "../../src/providers/gcp/store.js";
import { ConflictError } from "../../src/providers/types.js";
import { rotationOf } from "../../src/rotation/types.js";
import { appRead, gcpReader } from "../helpers/app-read.js";
import { type GcpHarness, startGcpHarness } from "../helpers/gcp-harness.js";
import { testContext } from "../helpers/provider-context.js";

let h: GcpHarness;
let seq = 0;
const until = new Date("2026-01-02T00:00:00Z");

beforeAll(async () => {
  h = await startGcpHarness();
});
afterAll(() => h.stop());

/** The real store (REST client library) and a fresh secret `g<n>/S` holding `v1`. */
async function rotating() {
  const name = `g${seq++}/S`;
  const id = name.replace("/", "__");
  const store = await createGcpStore(testContext(h.options, h.env));
  await store.connect();
  await store.write({ kind: "create", name, value: "v1", runId: "m1" });
  const rotation = rotationOf(store);
  if (!rotation) throw new Error("gcp should rotate");
  const reader = gcpReader(h.server, id);
  const reads = async (value: string) => expect(await appRead(reader)).toEqual({ status: 200, value });
  const sibling = () => h.server.model.secrets.get(`secretshift-pending__${id}`);
  const secret = () => h.server.model.secrets.get(id);
  const promote = (pendingVersion: string, runId: string, notes: Record<string, string> = { strategy: "generic" }) =>
    rotation.promote({ name, pendingVersion, graceUntil: until, runId, notes });
  return { store, rotation, name, id, reads, sibling, secret, promote };
}

describe("gcp RotatingStore (client library over REST against the wire-level server)", () => {
  it("the pending value waits in a sibling secret; promotion adds one version to the real secret", async () => {
    const { store, rotation, name, reads, sibling, secret, promote } = await rotating();
    const v = await rotation.putPending(name, "v2", "run-a");
    expect(v).toBe("2");
    await reads("v1");
    expect(secret()?.versions).toHaveLength(1);
    expect(await rotation.putPending(name, "v2", "run-a")).toBe("2");
    expect(sibling()?.labels).toEqual({ "managed-by": "secretshift", "secretshift-role": "pending" });
    expect(sibling()?.annotations).toMatchObject({ "secretshift-run": "run-a", "secretshift-target": name });
    expect(await rotation.readLabels(name)).toMatchObject({ current: { version: "1", value: "v1" }, pending: { version: "2", value: "v2", runId: "run-a" } });
    expect(await store.list("")).not.toContainEqual(expect.stringMatching(/secretshift-pending/));

    expect(await promote(v, "run-a")).toBe("2");
    await reads("v2");
    expect(await promote(v, "run-a", {})).toBe("2"); // idempotent
    expect(sibling()).toBeUndefined();
    expect(secret()?.annotations).toEqual({
      "secretshift-current-version": "2",
      "secretshift-current-run": "run-a",
      "secretshift-previous-version": "1",
      "secretshift-grace-until": until.toISOString(),
      "secretshift-note-strategy": "generic",
    });
    expect(await rotation.readLabels(name)).toEqual({
      current: { version: "2", value: "v2", runId: "run-a" },
      previous: { version: "1", value: "v1" },
      graceUntil: until,
      notes: { strategy: "generic" },
    });
    expect(await rotation.listGrace()).toContainEqual({ name, previousVersion: "1", graceUntil: until, notes: { strategy: "generic" } });

    // A second rotation destroys the older previous; dropPrevious destroys the previous one.
    await promote(await rotation.putPending(name, "v3", "run-b"), "run-b");
    await reads("v3");
    expect(secret()?.versions[0]?.state).toBe("DESTROYED");
    expect(await rotation.dropPrevious(name, "1")).toBe(false);
    expect(await rotation.dropPrevious(name, "2")).toBe(true);
    expect(secret()?.versions[1]?.state).toBe("DESTROYED");
    await reads("v3");
    expect((await rotation.readLabels(name))?.previous).toBeUndefined();
    expect((await rotation.listGrace()).map((g) => g.name)).not.toContain(name);
  });

  it("discardPending deletes the sibling; another run's pending is a conflict", async () => {
    const { rotation, name, reads, sibling, secret } = await rotating();
    await rotation.putPending(name, "v2", "a");
    await expect(rotation.putPending(name, "x", "b")).rejects.toBeInstanceOf(ConflictError);
    expect(await rotation.discardPending(name, "b")).toBe(false);
    expect(await rotation.discardPending(name, "a")).toBe(true);
    expect(sibling()).toBeUndefined();
    expect(secret()?.versions).toHaveLength(1);
    await reads("v1");
  });

  it("kill -9 inside promotion: each state reads the old or the new value, and promote completes it", async () => {
    const { rotation, name, id, reads, sibling, secret, promote } = await rotating();
    const v = await rotation.putPending(name, "v2", "a");
    h.server.model.addVersion(id, Buffer.from("v2"), new Date().toISOString()); // died right after AddSecretVersion
    await reads("v2");
    expect(await rotation.readLabels(name)).toMatchObject({ current: { version: "2", value: "v2" }, pending: { value: "v2" } });
    expect(await promote(v, "a")).toBe("2");
    expect(secret()?.versions).toHaveLength(2);
    expect(secret()?.annotations["secretshift-previous-version"]).toBe("1");
    expect(sibling()).toBeUndefined();
  });

  it("a sibling left without its version by a crash is taken over; a write by someone else blocks promote", async () => {
    const { rotation, name, id, reads } = await rotating();
    h.server.model.create(`secretshift-pending__${id}`, {}, new Date().toISOString(), { "secretshift-run": "dead", "secretshift-target": name });
    expect((await rotation.readLabels(name))?.pending).toBeUndefined();
    const v = await rotation.putPending(name, "v2", "next");
    h.server.model.addVersion(id, Buffer.from("by-hand"), new Date().toISOString());
    await expect(rotation.promote({ name, pendingVersion: v, graceUntil: until, runId: "next", notes: {} })).rejects.toBeInstanceOf(ConflictError);
    await reads("by-hand");
  });
});
