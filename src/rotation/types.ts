import type { SecretStore } from "../providers/types.js";

/**
 * What a store offers as its `rotation` so `rotate`, `cleanup` and `get --with-previous` work.
 * A rotation is: `putPending` → (strategy sets and tests the value) → `promote`; on failure
 * `discardPending`. `cleanup` calls `listGrace` and `dropPrevious` once a grace period is over.
 *
 * Every method is durable when it resolves (no batching until `flush`): the steps between them have
 * effects outside the store (ALTER ROLE) that a crash must be able to pair with the store state.
 * Labels and notes are the only bookkeeping; values never leave the store except through
 * `readLabels`.
 *
 * How each provider maps it:
 * - `local` (`src/providers/local-rotation.ts`): version labels `pending` / `current` / `previous`
 *   in the store file; each version records the `runId` that wrote it; `meta["grace-until"]` (ISO) and
 *   `meta["grace-version"]` (the `previous` it applies to) and `meta["note:<key>"]` on the secret.
 * - `aws`: `putPending` = `PutSecretValue` with `VersionStages: ["AWSPENDING"]` and
 *   `ClientRequestToken` derived from the run id (so a retry of the same run is idempotent and
 *   `runId` can be read back from the version id); `promote` = `UpdateSecretVersionStage` moving
 *   `AWSCURRENT` to the pending version (AWS moves `AWSPREVIOUS`) and removing `AWSPENDING`;
 *   grace end and notes in tags `secretshift:grace-until`, `secretshift:grace-version`,
 *   `secretshift:note:<key>`; `discardPending` removes the `AWSPENDING` stage (never leave one:
 *   AWS's own next rotation fails); `dropPrevious` removes the `AWSPREVIOUS` stage.
 * - `vault` KV v2: `putPending` writes a new version with `cas` = the current version number and
 *   records `pending-version` / `pending-run` in `custom_metadata` (the KV "latest" is then the
 *   pending one, so reads must go by `current-version` from custom_metadata, not by latest);
 *   `promote` sets `current-version`, `previous-version`, `grace-until`, `note:<key>` there;
 *   `discardPending` destroys the pending version; `dropPrevious` destroys the previous one.
 *   KV v1 keeps no versions: its store gives a `cannotRotate` reason and `rotationOf` returns undefined.
 */
export interface RotatingStore {
  /** The labelled versions of one secret; undefined when the name has no current version. */
  readLabels(name: string): Promise<RotationLabels | undefined>;
  /**
   * Stores `value` as the pending version without touching current. Idempotent for the same
   * `runId` (returns the existing pending version); a pending version of another run is a
   * `ConflictError` (two rotations of one secret must not both proceed).
   */
  putPending(name: string, value: string, runId: string): Promise<string>;
  /**
   * Pending becomes current, current becomes previous (readable until `graceUntil`), an older
   * previous is dropped. Idempotent: when `pendingVersion` is already current it does nothing.
   * `ConflictError` when `pendingVersion` is neither pending nor current.
   */
  promote(op: PromoteOp): Promise<void>;
  /** Removes the pending version (only if `runId` wrote it, when given). True if one was removed. */
  discardPending(name: string, runId?: string): Promise<boolean>;
  /** Removes `version` if it is still `previous`, with its grace record. True if it was removed. */
  dropPrevious(name: string, version: string): Promise<boolean>;
  /** Every secret whose `previous` has a grace record: what `cleanup` looks at. No values. */
  listGrace(): Promise<GraceRecord[]>;
}

export interface RotationVersion {
  readonly version: string;
  readonly value: string;
  /** The run that wrote this version, when the provider recorded one. */
  readonly runId?: string;
}

export interface RotationLabels {
  readonly current: RotationVersion;
  readonly previous?: RotationVersion;
  readonly pending?: RotationVersion;
  /** Until when `previous` must stay readable; only while the record applies to this `previous`. */
  readonly graceUntil?: Date;
  /** Recorded at promotion (strategy, role to expire…); never a value. */
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

/** The store's rotation, unless it cannot rotate where it is connected. */
export function rotationOf(store: SecretStore): RotatingStore | undefined {
  return store.cannotRotate === undefined ? store.rotation : undefined;
}
