import { type CommonOptions, stateDirOf } from "../core/command-options.js";
import type { Deps } from "../core/deps.js";
import { type JournalEntry, readJournal } from "../core/journal.js";
import { openProvider } from "../core/open-provider.js";
import { lastMigratedTo } from "../providers/choose.js";
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
  // Read only when a reference names no provider: a long journal is not read for a source without one.
  let journal: Promise<JournalEntry[]> | undefined;
  return {
    env: deps.env,
    providerFor: async (name) =>
      chosen ?? (lastMigratedTo(await (journal ??= readJournal(stateDirOf(deps, options))), name) as ProviderName | undefined) ?? DEFAULT_PROVIDER,
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
