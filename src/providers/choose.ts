import type { Deps } from "../core/deps.js";
import { eachJournalEntry, holdsField, type JournalEntry } from "../core/journal.js";
import { DEFAULT_PROVIDER, isProviderName, type ProviderName, unknownProvider } from "./index.js";

export interface ProviderChoice {
  readonly provider: ProviderName;
  readonly from: string;
}

export interface ProviderFlag {
  readonly provider?: string;
  /** commander's value source: `cli`, `env` or `config`. */
  readonly providerSource?: string;
}

const FLAG_ORIGIN: Record<string, string> = { argument: "the command line", cli: "--provider", env: "SECRETS_PROVIDER", config: "secretshift.yaml" };

type Layer = () => Promise<{ name: string; from: string } | undefined>;

/**
 * `rotate`, `get`, `cleanup`: --provider (or cleanup's argument), SECRETS_PROVIDER, secretshift.yaml, where the
 * journal last migrated the secret (without one, where the last run went), the default.
 */
export async function chooseProvider(secret: string | undefined, flag: ProviderFlag, deps: Pick<Deps, "env">, stateDir: string): Promise<ProviderChoice> {
  const layers: Layer[] = [
    async () => (flag.provider ? { name: flag.provider, from: FLAG_ORIGIN[flag.providerSource ?? "cli"] ?? "--provider" } : undefined),
    async () => (deps.env.SECRETS_PROVIDER ? { name: deps.env.SECRETS_PROVIDER, from: "SECRETS_PROVIDER" } : undefined),
    async () => {
      const entries = await journalOf(stateDir, secret);
      if (secret === undefined) {
        const provider = lastRunOn(entries);
        return provider ? { name: provider, from: "the journal: the last run went there" } : undefined;
      }
      const provider = lastMigratedTo(entries, secret);
      return provider ? { name: provider, from: `the journal: ${secret} was last migrated there` } : undefined;
    },
    async () => ({ name: DEFAULT_PROVIDER, from: "the default" }),
  ];
  for (const layer of layers) {
    const found = await layer();
    if (!found) continue;
    if (!isProviderName(found.name)) throw unknownProvider(found.name, found.from);
    return { provider: found.name, from: found.from };
  }
  throw new Error("unreachable: the default layer always answers");
}

/**
 * What `lastRunOn` and `lastMigratedTo` read: run starts, and the lines naming `secret`. A journal
 * that a million-secret run made long is streamed past the rest, unparsed.
 */
export async function journalOf(stateDir: string, secret: string | undefined): Promise<JournalEntry[]> {
  const entries: JournalEntry[] = [];
  const start = holdsField("type", "run-start");
  const named = secret === undefined ? () => false : holdsField("name", secret);
  await eachJournalEntry(
    stateDir,
    (e) => entries.push(e),
    (line) => start(line) || named(line),
  );
  return entries;
}

export function lastMigratedTo(entries: readonly JournalEntry[], secret: string): string | undefined {
  const migrateRuns = new Map<string, string | undefined>();
  let provider: string | undefined;
  for (const e of entries) {
    if (e.type === "run-start" && e.command === "migrate") migrateRuns.set(e.runId, e.provider);
    else if (e.type === "done" && e.name === secret && migrateRuns.has(e.runId)) provider = migrateRuns.get(e.runId) ?? provider;
  }
  return provider;
}

/** The provider of the most recent migrate or rotate run: where the state folder's secrets went. */
export function lastRunOn(entries: readonly JournalEntry[]): string | undefined {
  let provider: string | undefined;
  for (const e of entries) if (e.type === "run-start" && (e.command === "migrate" || e.command === "rotate") && e.provider) provider = e.provider;
  return provider;
}
