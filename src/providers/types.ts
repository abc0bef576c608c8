import type { RotatingStore } from "../rotation/types.js";

/** What a provider holds for one name right now. `version` is opaque to the core. */
export interface CurrentSecret {
  readonly name: string;
  readonly value: string;
  readonly version: string;
  /** Scheduled for deletion / soft-deleted: writing to it needs a recovery step first. */
  readonly deleted?: boolean;
  /** The provider's own advice when `deleted` blocks the plan (Azure: --recover-deleted or --purge-deleted). */
  readonly hint?: string;
}

/** What a name looked like before a run touched it: saved (encrypted) in the run's backup. */
export interface PriorState {
  readonly name: string;
  readonly existed: boolean;
  readonly value?: string;
  readonly version?: string;
}

export interface WriteOp {
  readonly kind: "create" | "update";
  readonly name: string;
  readonly value: string;
  /** For update: the version read while planning (compare-and-set where the provider can). */
  readonly expectedVersion?: string;
  readonly runId: string;
}

export interface WriteResult {
  readonly version: string;
}

/** Result of undoing one name of a run; `changed-since` means someone wrote after the run and we left it alone. */
export type RevertOutcome = "reverted" | "already" | "changed-since";

export interface RevertOp {
  readonly name: string;
  readonly prior: PriorState;
  /** Version the run wrote, when the journal recorded it (a crashed run may not have). */
  readonly writtenVersion?: string;
  /**
   * A write whose outcome never reached the journal (killed, or an ambiguous failure): what its
   * intent recorded, so the provider can tell whether it landed. `toVersion` is the version it
   * would create where the provider knows in advance; `sent` says whether a value is the one it
   * sent (compared by keyed digest).
   */
  readonly inFlight?: { readonly toVersion?: string; readonly sent: (value: string) => boolean };
  readonly runId: string;
}

export interface NameCheck {
  /** The name as the provider will store it (may differ: GCP/Azure mapping). */
  readonly stored: string;
  /** The rule broken, if the provider cannot hold this name. */
  readonly invalid?: string;
}

export interface ProviderStats {
  apiCalls: number;
}

/**
 * One vault. Every provider file says `implements SecretStore`.
 * Contract: `write` of a `create` must fail (throw ConflictError) if the name exists; `update` with
 * `expectedVersion` must fail with ConflictError when the current version differs, where the provider can tell.
 * Stores with `batched = true` may stage writes in memory until `flush()`; the core journals the
 * outcome only after `flush()` resolves.
 */
export interface SecretStore {
  readonly name: string;
  readonly batched: boolean;
  /** Whether rollback can restore without the encrypted backup (versioned store). */
  readonly versioned: boolean;
  /** Writes the core keeps in flight when `--concurrency` is not given (quota-aware per provider). */
  readonly defaultConcurrency: number;
  readonly stats: ProviderStats;
  /** Present on stores that can rotate (src/rotation/types.ts); absent or refused via `cannotRotate` otherwise. */
  readonly rotation?: RotatingStore;
  /** Why this store cannot rotate where it is connected (Vault KV v1 keeps no versions). */
  readonly cannotRotate?: string;
  /** Where a remote provider keeps the journal anchor (src/core/journal-anchor.ts); absent for `local`. */
  readonly anchor?: AnchorStore;

  checkName(name: string): NameCheck;
  /** The rule broken by this value, or undefined. */
  checkValue(value: string): string | undefined;
  /**
   * Limits no single value shows: all of a run's writes together, with what the provider keeps
   * (a Kubernetes Secret's 1 MiB). Names refused, with the rule; called after `readMany`. Optional.
   */
  checkBatch?(writes: readonly { name: string; value: string }[]): ReadonlyMap<string, string>;

  /** Fail fast (exit 3) on bad credentials / unreachable endpoint, before anything is written. */
  connect(): Promise<void>;
  /** Current values of these names (absent names are missing from the map). */
  readMany(names: readonly string[]): Promise<Map<string, CurrentSecret>>;
  /** Every name under a prefix (for `validate --exact` and `from-provider`). */
  list(prefix: string): Promise<string[]>;

  write(op: WriteOp): Promise<WriteResult>;
  /**
   * The version `write(op)` will create, where the provider knows it before sending (a
   * check-and-set version, a request token). Journalled in the intent, so a rollback after a
   * crash knows the write as the run's own even when its outcome was never journalled. Optional.
   */
  nextVersion?(op: WriteOp): string | undefined;
  flush(): Promise<void>;
  /** Undo one name of a run, checking the real state first; never undo what the run did not do. */
  revert(op: RevertOp): Promise<RevertOutcome>;
  close(): Promise<void>;
}

/** Thrown by a provider when compare-and-set or create-if-absent fails. */
export class ConflictError extends Error {
  constructor(
    readonly secretName: string,
    message: string,
  ) {
    super(message);
    this.name = "ConflictError";
  }
}

/**
 * A copy of each run's last journal line MAC, kept in the provider on a dedicated `secretshift`
 * entry where someone who can only touch the local state folder cannot rewrite it. One record per
 * journal (state folders sharing a provider each keep their own). Never a value.
 */
export interface AnchorStore {
  /** Where it lives, for messages: `secret secretshift (tags)`. */
  readonly where: string;
  read(journalId: string): Promise<AnchorRecord | undefined>;
  write(record: AnchorRecord): Promise<void>;
  /** How many other journals have an anchor here (other state folders, or this one before it was replaced). */
  others(journalId: string): Promise<number>;
}

export interface AnchorRecord {
  readonly journalId: string;
  readonly seq: number;
  readonly mac: string;
  readonly runId: string;
}
