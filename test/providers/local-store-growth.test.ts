import { stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deriveKey } from "../../src/core/crypto.js";
import { LocalStore } from "../../src/providers/local/store.js";
import { localCurrentValues } from "../helpers/local-store-file.js";
import { tmpdir } from "../helpers/tmpdir.js";

const KEY = "k".repeat(40);

/** Writes batches of fresh secrets and records, from the file's size, how many bytes each batch added. */
async function batches(path: string, count: number, size: number): Promise<number[]> {
  const store = new LocalStore(path, deriveKey(KEY), () => new Date("2026-01-01T00:00:00Z"));
  const grown: number[] = [];
  let before = 0;
  for (let b = 0; b < count; b++) {
    for (let i = 0; i < size; i++) await store.write({ kind: "create", name: `B${b}_${i}`, value: `value-${b}-${i}`, runId: "r1" });
    await store.flush();
    const now = (await stat(path)).size;
    grown.push(now - before);
    before = now;
  }
  await store.close();
  return grown;
}

describe("the local store writes what changed, not the whole file", () => {
  it("each batch adds about the same bytes however large the store already is, and the file reads back whole", async () => {
    const dir = await tmpdir();
    const grown = await batches(join(dir, "store.enc"), 30, 200);
    const later = grown.slice(1);
    // Below the compaction threshold every batch is one appended line of the same size (± name digits).
    expect(Math.max(...later)).toBeLessThan(1.1 * Math.min(...later));
    const values = await localCurrentValues(dir, { SECRETS_ENCRYPTION_KEY: KEY }, join(dir, "store.enc"));
    expect(values.size).toBe(30 * 200);
    expect(values.get("B29_199")).toEqual({ value: "value-29-199", version: "1" });
  });

  it("an update appends only the secret it changed", async () => {
    const dir = await tmpdir();
    const path = join(dir, "store.enc");
    await batches(path, 5, 200);
    const store = new LocalStore(path, deriveKey(KEY), () => new Date("2026-01-01T00:00:00Z"));
    const before = (await stat(path)).size;
    await store.write({ kind: "update", name: "B0_0", value: "changed", expectedVersion: "1", runId: "r2" });
    await store.flush();
    await store.close();
    expect((await stat(path)).size - before).toBeLessThan(1000);
    const values = await localCurrentValues(dir, { SECRETS_ENCRYPTION_KEY: KEY }, path);
    expect(values.get("B0_0")).toEqual({ value: "changed", version: "2" });
    expect(values.size).toBe(1000);
  });
});
