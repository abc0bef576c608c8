/**
 * `putPending` → (the strategy sets and tests the value) → `promote`, or `discardPending` on failure.
 * The rule every implementation keeps: a reader using the service's default read sees the old value
 * until `promote` and the new one after, never the pending value and never a 404, also after a
 * failed test, `--abort`, kill -9 or a resumed run. Each method is durable when it resolves: the
 * steps between them change things outside the store (ALTER ROLE) a crash must pair with its state.
 */
export interface RotatingStore {
  readLabels(name: string): Promise<RotationLabels | undefined>;
  /**
   * Idempotent for the same `runId`. A pending version of another run is a `ConflictError` (two
   * rotations of one secret must not both proceed), unless its value is already current: the
   * leftover of a promotion that died before removing it, which is replaced.
   */
  putPending(name: string, value: string, runId: string): Promise<string>;
  /** Pending becomes current, current previous (readable until `graceUntil`); idempotent. */
  promote(op: PromoteOp): Promise<string>;
  /** Only if `runId` wrote it, when given. */
  discardPending(name: string, runId?: string): Promise<boolean>;
  /** Only while `version` is still `previous`. */
  dropPrevious(name: string, version: string): Promise<boolean>;
  listGrace(): Promise<GraceRecord[]>;
  /** Sibling secrets holding pending values; one already current is a dead promotion's leftover. */
  listPending?(): Promise<PendingRecord[]>;
}

export interface PendingRecord {
  readonly name: string;
  readonly version: string;
  readonly runId?: string;
  readonly promoted: boolean;
}

export interface RotationVersion {
  readonly version: string;
  readonly value: string;
  readonly runId?: string;
}

export interface RotationLabels {
  readonly current: RotationVersion;
  readonly previous?: RotationVersion;
  readonly pending?: RotationVersion;
  /** Only while the record applies to this `previous`. */
  readonly graceUntil?: Date;
  readonly notes: Readonly<Record<string, string>>;
}

export interface PromoteOp {
  readonly name: string;
  readonly pendingVersion: string;
  readonly graceUntil: Date;
  readonly runId: string;
  readonly notes: Readonly<Record<string, string>>;
}

export interface GraceRecord {
  readonly name: string;
  readonly previousVersion: string;
  readonly graceUntil: Date;
  readonly notes: Readonly<Record<string, string>>;
}

export function rotationOf(store: { readonly rotation?: RotatingStore; readonly cannotRotate?: string }): RotatingStore | undefined {
  return store.cannotRotate === undefined ? store.rotation : undefined;
}
