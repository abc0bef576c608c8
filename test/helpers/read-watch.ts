import { expect } from "vitest";
import type { ProviderFactory } from "../../src/core/deps.js";
import { createProvider } from "../../src/providers/index.js";
import type { AppRead } from "./app-read.js";

/** One application read, and when in the rotation it was made. */
export interface Seen {
  readonly moment: string;
  readonly read: AppRead;
}

const WATCHED = ["putPending", "promote", "discardPending"] as const;

/**
 * The provider `base` makes, with an application's plain read of the secret (`read`) made before
 * and after each of the rotation's store calls: after create-pending (what set and test run
 * against), right before promotion, after it, after a discard. `seen` collects them in order.
 */
export function watchReads(read: () => Promise<AppRead>, base: ProviderFactory = createProvider): { factory: ProviderFactory; seen: Seen[] } {
  const seen: Seen[] = [];
  const look = async (moment: string) => {
    seen.push({ moment, read: await read() });
  };
  const factory: ProviderFactory = async (name, ctx) => {
    const store = await base(name, ctx);
    const rotation = store.rotation as unknown as Record<string, (...a: unknown[]) => Promise<unknown>> | undefined;
    if (!rotation) return store;
    for (const method of WATCHED) {
      const original = (rotation[method] as (...a: unknown[]) => Promise<unknown>).bind(rotation);
      rotation[method] = async (...args: unknown[]) => {
        await look(`before ${method}`);
        try {
          return await original(...args);
        } finally {
          await look(`after ${method}`);
        }
      };
    }
    return store;
  };
  return { factory, seen };
}

/**
 * Every read got 200 and the old value, except reads after promotion began, which may get the
 * new one (and, once a promotion returned, must): never a 404, never any other value.
 */
export function expectOldUntilPromoted(seen: readonly Seen[], old: string, next: string | undefined): void {
  let promoting = false;
  let promoted = false;
  for (const { moment, read } of seen) {
    if (moment === "before promote") promoting = true;
    if (moment === "after promote" && read.value === next) promoted = true;
    const allowed = promoted ? [next] : promoting ? [old, next] : [old];
    expect(read.status, `${moment}: ${JSON.stringify(read)}`).toBe(200);
    expect(allowed, `${moment}: the application read ${JSON.stringify(read.value)}`).toContain(read.value);
  }
}
