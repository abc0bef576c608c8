import { resolve } from "node:path";
import { loadKey } from "../../src/core/crypto.js";
import type { ProviderFactory } from "../../src/core/deps.js";
import { createProvider } from "../../src/providers/index.js";
import type { ProviderName, SecretStore, WriteOp } from "../../src/providers/types.js";

export interface Target {
  readonly provider: ProviderName;
  readonly env: Record<string, string>;
  /** Provider flags for the CLI (`--mount`, `kv`, …) as argv. */
  readonly args: readonly string[];
  /** The same settings as the `options` map a provider factory receives. */
  readonly options: Record<string, string>;
  /**
   * KV v2 cannot make an old version current again: a restore writes the old data as a new
   * version, so "the same state" there means the same values, not the same version numbers.
   */
  readonly versionsAdvanceOnRestore?: boolean;
}

async function open(target: Target, cwd: string): Promise<SecretStore> {
  const stateDir = resolve(cwd, ".secrets");
  const env = { ...process.env, ...target.env };
  const store = await createProvider(target.provider, {
    stateDir,
    key: await loadKey({ env, stateDir }),
    options: target.options,
    env,
    clock: { now: () => new Date(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    concurrency: undefined,
    onEvent: () => {},
  });
  await store.connect();
  return store;
}

/** Every name under `prefix` with its value and version: the logical state rollback must restore. */
export async function snapshot(target: Target, cwd: string, prefix: string): Promise<Record<string, { value: string; version: string }>> {
  const store = await open(target, cwd);
  try {
    const names = await store.list(prefix);
    const current = await store.readMany(names);
    const out: Record<string, { value: string; version: string }> = {};
    for (const name of [...names].sort()) {
      const c = current.get(name);
      if (c) out[name] = { value: c.value, version: target.versionsAdvanceOnRestore ? "(advances)" : c.version };
    }
    return out;
  } finally {
    await store.close();
  }
}

/** A provider factory whose store throws on its `failOn`-th write: the "fails half-way" run. */
export function failingOnWrite(failOn: number, base: ProviderFactory = createProvider): ProviderFactory {
  return async (name, ctx) => {
    const store = await base(name, ctx);
    let writes = 0;
    const write = store.write.bind(store);
    store.write = async (op: WriteOp) => {
      writes++;
      if (writes === failOn) throw new Error(`injected failure on write ${failOn}`);
      return write(op);
    };
    return store;
  };
}
