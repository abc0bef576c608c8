import type { RotatingStore } from "../rotation/types.js";

/** `version` is opaque to the core. */
export interface CurrentSecret {
  readonly name: string;
  readonly value: string;
  readonly version: string;
  /** Scheduled for deletion / soft-deleted: writing needs a recovery step first. */
  readonly deleted?: boolean;
  readonly hint?: string;
  /** Where the store can tell equality without revealing its value (a keyed digest beside it). */
  readonly matches?: (value: string) => boolean;
}

/** Whether the provider holds exactly `value`, by digest where the store keeps one. */
export const holds = (have: CurrentSecret, value: string): boolean => (have.matches ? have.matches(value) : have.value === value);

/** Saved, encrypted, in the run's backup before the run touches the name. */
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
  /** The version read while planning: compare-and-set where the provider can. */
  readonly expectedVersion?: string;
  readonly runId: string;
  /** The keyed write digest the journal already holds, so a store that keeps one need not compute it again. */
  readonly digest?: string;
}

export interface WriteResult {
  readonly version: string;
}

/** `changed-since`: someone wrote after the run, and it was left alone. */
export type RevertOutcome = "reverted" | "already" | "changed-since";

export interface RevertOp {
  readonly name: string;
  readonly prior: PriorState;
  readonly writtenVersion?: string;
  /**
   * A write whose outcome never reached the journal (killed, or an ambiguous failure), as its
   * intent recorded it: so the provider can tell whether it landed.
   */
  readonly inFlight?: { readonly toVersion?: string; readonly sent: (value: string) => boolean };
  readonly runId: string;
}

export interface NameCheck {
  /** Differs from the name where the provider maps names (GCP, Azure). */
  readonly stored: string;
  readonly invalid?: string;
}

export interface ProviderStats {
  apiCalls: number;
}

/**
 * One vault. `create` must fail with ConflictError when the name exists, and `update` with
 * `expectedVersion` when the version differs, where the provider can tell. A `batched` store may
 * stage writes until `flush()`; outcomes are journalled only after it.
 */
export interface SecretStore {
  readonly name: string;
  readonly batched: boolean;
  /** Rollback can restore without the encrypted backup. */
  readonly versioned: boolean;
  /** Quota-aware, when `--concurrency` is not given. */
  readonly defaultConcurrency: number;
  readonly stats: ProviderStats;
  readonly rotation?: RotatingStore;
  /** Why this store cannot rotate where it is connected (Vault KV v1 keeps no versions). */
  readonly cannotRotate?: string;
  readonly anchor?: AnchorStore;

  checkName(name: string): NameCheck;
  checkValue(value: string): string | undefined;
  /** Limits of all a run's writes together (a Kubernetes Secret's 1 MiB), by name. */
  checkBatch?(writes: readonly { name: string; value: string }[]): ReadonlyMap<string, string>;

  /** Exit 3 on bad credentials or an unreachable endpoint, before anything is written. */
  connect(): Promise<void>;
  readMany(names: readonly string[]): Promise<Map<string, CurrentSecret>>;
  /** `unless`: names the caller does not want, which a store may skip while listing (it need not). */
  list(prefix: string, unless?: (name: string) => boolean): Promise<string[]>;

  write(op: WriteOp): Promise<WriteResult>;
  /**
   * The version `write(op)` will create, where the provider knows it before sending: journalled in
   * the intent, so rollback knows the write as the run's own even when its outcome was lost.
   */
  nextVersion?(op: WriteOp): string | undefined;
  flush(): Promise<void>;
  /** Checks the real state first; never undoes what the run did not do. */
  revert(op: RevertOp): Promise<RevertOutcome>;
  close(): Promise<void>;
}

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
 * The last journal line's MAC of each run, kept in the provider where someone who can only touch
 * the state folder cannot rewrite it (src/core/journal-anchor.ts). One record per journal.
 */
export interface AnchorStore {
  readonly where: string;
  read(journalId: string): Promise<AnchorRecord | undefined>;
  write(record: AnchorRecord): Promise<void>;
  /** Anchors of other journals here (other state folders, or this one before it was replaced). */
  others(journalId: string): Promise<number>;
}

export interface AnchorRecord {
  readonly journalId: string;
  readonly seq: number;
  readonly mac: string;
  readonly runId: string;
}
