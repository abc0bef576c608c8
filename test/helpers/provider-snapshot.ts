import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ProviderFactory } from "../../src/core/deps.js";
import type { ProviderName } from "../../src/providers/index.js";
import { createProvider } from "../../src/providers/index.js";
import type { WriteOp } from "../../src/providers/types.js";
import type { WireState } from "../servers/wire-writes.js";
import { localCurrentValues } from "./local-store-file.js";
import { decoders } from "./wire-current.js";

export interface Target {
  readonly provider: ProviderName;
  readonly env: Record<string, string>;
  /** Provider flags for the CLI (`--mount`, `kv`, …) as argv. */
  readonly args: readonly string[];
  /** The same settings as the `options` map a provider factory receives. */
  readonly options: Record<string, string>;
  /** The test server holding the state: every provider but `local`, whose state is its file. */
  readonly server?: WireState;
  /**
   * KV v2 cannot make an old version current again: a restore writes the old data as a new
   * version, so "the same state" there means the same values, not the same version numbers.
   */
  readonly versionsAdvanceOnRestore?: boolean;
  /** Rollback flags that free the names it deletes at once (Azure soft-deletes unless `--purge`). */
  readonly rollbackFrees?: readonly string[];
}

/**
 * Every name under `prefix` with the value and version a plain default read returns, judged from
 * the server's own state (or the local store's file bytes), never through the provider under test.
 */
export async function snapshot(target: Target, cwd: string, prefix: string): Promise<Record<string, { value: string; version: string }>> {
  const current =
    target.provider === "local" ? await localCurrentValues(cwd, target.env, target.options.store) : decoders[target.provider](wire(target).snapshot(), target);
  const out: Record<string, { value: string; version: string }> = {};
  for (const name of [...current.keys()].filter((n) => n.startsWith(prefix)).sort()) {
    const c = current.get(name);
    if (c) out[name] = { value: c.value, version: target.versionsAdvanceOnRestore ? "(advances)" : c.version };
  }
  return out;
}

/**
 * Something that changes whenever the target is written to: the server's count of write requests,
 * or a digest of the local store's file. Equal marks before and after a command: it wrote nothing.
 */
export async function writeMark(target: Target, cwd: string): Promise<string> {
  if (target.provider !== "local") return `writes:${wire(target).writes}`;
  const bytes = await readFile(target.options.store ?? join(cwd, ".secrets", "store.enc")).catch(() => undefined);
  return bytes ? createHash("sha256").update(bytes).digest("hex") : "absent";
}

function wire(target: Target): WireState {
  if (!target.server) throw new Error(`a ${target.provider} target needs its test server to be judged from`);
  return target.server;
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
