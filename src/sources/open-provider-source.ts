import { type CommonOptions, reporterFor, stateDirOf } from "../core/command-options.js";
import { loadKey } from "../core/crypto.js";
import type { Deps } from "../core/deps.js";
import { usageError } from "../core/errors.js";
import { reportEvents } from "../core/open-provider.js";
import { runPool } from "../core/pool.js";
import { type RotatingStore, rotationOf } from "../rotation/types.js";
import { ProviderSource, type ReadOnlyStore } from "./provider-source.js";

export interface ProviderSourceSettings extends CommonOptions {
  readonly fromProvider: string;
  readonly fromPrefix?: string;
  /** `key=value` each, the source provider's own settings (`region=eu-west-1`, `kv-version=1`). */
  readonly fromProviderOption?: readonly string[];
  readonly withPrevious?: boolean;
}

/**
 * The source vault, opened through the registry like a target but only to read: its settings come
 * from `--from-provider-option` alone (never the target's flags), and it gets no journal ledger or
 * anchor, so nothing in it records this run.
 */
export async function openProviderSource(deps: Deps, settings: ProviderSourceSettings): Promise<ProviderSource> {
  const { descriptorOf, isProviderName, unknownProvider } = await import("../providers/index.js");
  const name = settings.fromProvider;
  if (!isProviderName(name)) throw unknownProvider(name, "--from-provider");
  const keys = descriptorOf(name).settings.map((s) => s.key);
  const options = parseSourceOptions(settings.fromProviderOption ?? [], keys, name);
  const stateDir = stateDirOf(deps, settings);
  const store = await deps.providers(name, {
    stateDir,
    key: await loadKey({ env: deps.env, stateDir }),
    options,
    env: deps.env,
    clock: deps.clock,
    concurrency: undefined,
    onEvent: reportEvents(reporterFor(deps, settings), `source ${name}: `),
  });
  try {
    await store.connect();
  } catch (error) {
    await store.close();
    throw error;
  }
  const reads: ReadOnlyStore = { list: (p) => store.list(p), readMany: (n) => store.readMany(n), close: () => store.close() };
  const labels = settings.withPrevious ? rotationOf(store) : undefined;
  return new ProviderSource(reads, {
    provider: name,
    prefix: settings.fromPrefix ?? "",
    ...(labels ? { previous: (names) => previousValues(labels, names) } : {}),
    ...(settings.withPrevious && !labels ? { warning: `--with-previous: ${name} keeps no previous versions here; only current values are copied` } : {}),
  });
}

/** One read per name (no provider lists previous values in bulk), a few at a time. */
async function previousValues(labels: RotatingStore, names: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await runPool(names, 8, async (name) => {
    const previous = (await labels.readLabels(name))?.previous?.value;
    if (previous !== undefined) out.set(name, previous);
  });
  return out;
}

/** `kv-version=2` and `kvVersion=2` alike; a key the provider does not read is an error, not silently ignored. */
export function parseSourceOptions(pairs: readonly string[], known: readonly string[], provider: string): Record<string, string> {
  const options: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    const raw = at < 0 ? pair : pair.slice(0, at);
    const key = raw.trim().replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (!known.includes(key)) {
      const hint = known.length === 0 ? `${provider} takes no settings` : `${provider} reads: ${known.join(", ")}`;
      throw usageError("BAD_SOURCE_OPTION", `--from-provider-option: "${raw}" is not a setting of ${provider}`, hint);
    }
    // A bare key is a switch, as the flag would be.
    options[key] = at < 0 ? "true" : pair.slice(at + 1).trim();
  }
  return options;
}
