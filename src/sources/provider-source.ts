import { ANCHOR_ENTRY } from "../providers/shared/anchor.js";
import { isPendingName } from "../providers/shared/pending-names.js";
import type { SecretStore } from "../providers/types.js";
import type { SecretSource, SourceBatch, SourceEntry } from "./types.js";

/** All a copy may do to the store it reads: the type leaves no way to write, flush or anchor. */
export type ReadOnlyStore = Pick<SecretStore, "list" | "readMany" | "close">;

export interface ProviderSourceOptions {
  /** The provider's name, for labels and origins. */
  readonly provider: string;
  /** Only names starting with it are read; it is stripped from the keys. */
  readonly prefix: string;
  readonly batchSize?: number;
  /** Each name's previous value, where the store keeps one (`--with-previous`). */
  readonly previous?: (names: readonly string[]) => Promise<ReadonlyMap<string, string>>;
  /** Said once, with the first batch (the source keeps no versions to copy, say). */
  readonly warning?: string;
}

/** Never copied: the journal anchor and rotation's pending siblings are secretshift's bookkeeping, not secrets. */
export const isBookkeeping = (name: string): boolean => name === ANCHOR_ENTRY || isPendingName(name);

/**
 * Another vault's current values as a source. Names are listed once (names only, a few dozen bytes
 * each), then values are read `batchSize` at a time, so memory is bounded like the database source.
 */
export class ProviderSource implements SecretSource {
  readonly label: string;
  private readonly batchSize: number;

  constructor(
    private readonly store: ReadOnlyStore,
    private readonly options: ProviderSourceOptions,
  ) {
    this.label = `${options.provider}:${options.prefix}`;
    this.batchSize = options.batchSize ?? 500;
  }

  async *read(): AsyncIterable<SourceBatch> {
    const { prefix, provider, warning } = this.options;
    const names = (await this.store.list(prefix)).filter((n) => n.startsWith(prefix) && n.length > prefix.length && !isBookkeeping(n)).sort();
    for (let start = 0; start < names.length; start += this.batchSize) {
      const chunk = names.slice(start, start + this.batchSize);
      const held = await this.store.readMany(chunk);
      const previous = (await this.options.previous?.(chunk)) ?? new Map<string, string>();
      const entries: SourceEntry[] = [];
      for (const name of chunk) {
        const secret = held.get(name);
        // Listed but gone (deleted since, or only scheduled for deletion): nothing current to copy.
        if (!secret || secret.deleted) continue;
        const before = previous.get(name);
        const entry = { key: name.slice(prefix.length), value: secret.value, origin: { source: `${provider}:${name}` } };
        entries.push(before === undefined ? entry : { ...entry, previous: before });
      }
      const first = start === 0;
      yield { entries, warnings: first && warning ? [{ source: this.label, message: warning }] : [], ...(first ? { expected: names.length } : {}) };
    }
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
