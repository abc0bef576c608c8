import type { StoredSecret } from "./aws-sm-model.js";
import { describe, type Output } from "./aws-sm-views.js";

/** What ListSecrets knew about a secret at one moment: the fields it filters on and the entry it returns. */
export interface ListedSecret {
  readonly name: string;
  readonly description?: string | undefined;
  readonly tags: Map<string, string>;
  readonly deleted: boolean;
  readonly entry: Output;
}

const freeze = (s: StoredSecret): ListedSecret => ({
  name: s.name,
  description: s.description,
  tags: new Map(s.tags),
  deleted: s.deletedDate !== undefined,
  entry: describe(s),
});

/**
 * ListSecrets as the service documents it: eventually consistent ("might not reflect changes from
 * the last five minutes", API reference, ListSecrets). Every change to a secret is recorded with
 * its time; a listing `lagMs` behind shows each name as it was `lagMs` ago, so a secret just created
 * is missing and one just deleted is still there. GetSecretValue, BatchGetSecretValue by id and
 * DescribeSecret read the live state.
 */
export class ListingLog {
  private readonly history = new Map<string, { at: number; listed: ListedSecret | undefined }[]>();

  record(name: string, secret: StoredSecret | undefined, at: number): void {
    const entries = this.history.get(name) ?? [];
    entries.push({ at, listed: secret && freeze(secret) });
    this.history.set(name, entries);
  }

  /** The secrets a listing sees at `now` with `lagMs` of lag, in creation order. */
  view(live: Iterable<StoredSecret>, now: number, lagMs: number): ListedSecret[] {
    if (lagMs <= 0) return [...live].map(freeze);
    const out: ListedSecret[] = [];
    for (const entries of this.history.values()) {
      const seen = entries.filter((e) => e.at <= now - lagMs).at(-1)?.listed;
      if (seen) out.push(seen);
    }
    return out;
  }
}
