import { type CommonOptions, stateDirOf } from "../core/command-options.js";
import type { Deps } from "../core/deps.js";
import { openProvider } from "../core/open-provider.js";
import { journalOf, lastMigratedTo } from "../providers/choose.js";
import { DEFAULT_PROVIDER, isProviderName, type ProviderName, unknownProvider } from "../providers/index.js";
import type { Reporter } from "../ui/reporter.js";
import type { ResolveContext } from "./resolve.js";

export interface ReferenceOptions extends CommonOptions {
  /** From --provider, SECRETS_PROVIDER or secretshift.yaml (the option layers). */
  readonly provider?: string;
}

/**
 * "Which provider, when none is named": the layered --provider, else where the journal last
 * migrated the secret, else the default. Stores open only for providers a reference names.
 */
export async function referenceContext(deps: Deps, options: ReferenceOptions, reporter: Reporter): Promise<ResolveContext> {
  if (options.provider !== undefined && !isProviderName(options.provider)) throw unknownProvider(options.provider);
  const chosen = options.provider as ProviderName | undefined;
  // Read only when a reference names no provider, and then streamed for that name alone: a long journal
  // is not read for a source without one, and not held for one with one.
  const asked = new Map<string, Promise<ProviderName>>();
  const lookUp = async (name: string) =>
    (lastMigratedTo(await journalOf(stateDirOf(deps, options), name), name) as ProviderName | undefined) ?? DEFAULT_PROVIDER;
  return {
    env: deps.env,
    providerFor: async (name) => {
      if (chosen) return chosen;
      if (!asked.has(name)) asked.set(name, lookUp(name));
      return asked.get(name) as Promise<ProviderName>;
    },
    async read(provider, names) {
      const { store } = await openProvider(deps, options, provider, reporter);
      try {
        const current = await store.readMany(names);
        return new Map([...current].filter(([, s]) => !s.deleted).map(([name, s]) => [name, s.value]));
      } finally {
        await store.close();
      }
    },
  };
}
