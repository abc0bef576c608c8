import type { ProviderContext, ProviderEvent } from "../../src/providers/shared/context.js";
import type { SecretStore } from "../../src/providers/types.js";
import { createVaultStore } from "../../src/providers/vault/store.js";
import type { VaultServer } from "../servers/vault.js";

export const KEY = Buffer.alloc(32, 7);

/** A clock both the provider (sleeps, token age) and the server (TTLs, quota windows) read. */
export function fakeClock(start = Date.parse("2026-01-01T00:00:00Z")) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => new Date(t),
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    advance: (ms: number) => {
      t += ms;
    },
    ms: () => t,
    sleeps,
  };
}
export type FakeClock = ReturnType<typeof fakeClock>;

export interface OpenOptions {
  readonly kvVersion?: 1 | 2;
  readonly env?: Record<string, string>;
  readonly options?: Record<string, string>;
  readonly clock?: FakeClock;
  readonly key?: Buffer;
  readonly connect?: boolean;
}

/** The real factory (real node-vault) against the test server, root token by default. */
export async function openStore(server: VaultServer, o: OpenOptions = {}): Promise<{ store: SecretStore; events: ProviderEvent[]; ctx: ProviderContext }> {
  const events: ProviderEvent[] = [];
  const ctx: ProviderContext = {
    stateDir: "/nonexistent/secretshift-vault-test",
    key: o.key ?? KEY,
    options: { mount: o.kvVersion === 1 ? server.mounts.kv1 : server.mounts.kv2, ...o.options },
    env: { VAULT_ADDR: server.url, VAULT_TOKEN: server.rootToken, ...o.env },
    clock: o.clock ?? fakeClock(),
    concurrency: undefined,
    onEvent: (e) => events.push(e),
  };
  const store = await createVaultStore(ctx);
  if (o.connect !== false) await store.connect();
  return { store, events, ctx };
}

/** The rejection of `p` (fails the test if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error & { code?: string; exitCode?: number; hint?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection");
}
