import { describe, expect, it } from "vitest";
import type { K8sSecretsApi, WireSecret } from "../../src/providers/k8s/client.js";
import { K8sStore } from "../../src/providers/k8s/store.js";

/** The narrow seam in memory: enough for the store's own bookkeeping, no HTTP. */
function memoryApi(initial?: WireSecret): K8sSecretsApi & { calls: string[] } {
  let stored = initial;
  const calls: string[] = [];
  return {
    calls,
    read: async () => (calls.push("read"), stored && structuredClone(stored)),
    list: async () => (calls.push("list"), stored ? [structuredClone(stored)] : []),
    create: async (_ns, body) => (calls.push("create"), (stored = { ...body, metadata: { ...body.metadata, resourceVersion: "1" } })),
    replace: async (_ns, _name, body) => (calls.push("replace"), (stored = { ...body, metadata: { ...body.metadata, resourceVersion: "2" } })),
    remove: async () => {
      calls.push("remove");
      stored = undefined;
    },
  };
}

const ctx = { clock: { now: () => new Date(), sleep: async () => {} }, onEvent: () => {}, concurrency: undefined, key: Buffer.alloc(32, 7) };
const settings = { namespace: "ns", layout: "single" as const, secretName: "app-env" };
const kib = (n: number) => "x".repeat(n * 1024);

describe("K8sStore.checkBatch", () => {
  it("counts the writes of earlier batches of the same run, and the keys the Secret keeps", async () => {
    const existing = { metadata: { name: "app-env", resourceVersion: "9" }, data: { KEPT: Buffer.from(kib(300)).toString("base64") } };
    const store = new K8sStore(memoryApi(existing), settings, ctx, "http://test");
    await store.readMany(["A", "B"]);
    expect(store.checkBatch([{ name: "A", value: kib(400) }]).size).toBe(0);
    const refused = store.checkBatch([{ name: "B", value: kib(400) }]);
    expect([...refused.keys()]).toEqual(["B"]);
    expect(refused.get("B")).toMatch(/would hold 1,126,400 bytes/);
    // Planning A again (the apply pass plans every batch a second time) does not count it twice.
    expect(store.checkBatch([{ name: "A", value: kib(400) }]).get("A")).toMatch(/would hold 1,126,400 bytes/);
  });

  it("the per-secret layout only limits each value", async () => {
    const store = new K8sStore(memoryApi(), { ...settings, layout: "per-secret" }, ctx, "http://test");
    expect(
      store.checkBatch([
        { name: "a", value: kib(900) },
        { name: "b", value: kib(900) },
      ]).size,
    ).toBe(0);
    expect(store.checkValue(kib(1025))).toMatch(/1 MiB/);
  });
});
