/**
 * What a store offers as its `rotation` so `rotate`, `cleanup` and `get --with-previous` work.
 * A rotation is: `putPending` → (strategy sets and tests the value) → `promote`; on failure
 * `discardPending`. `cleanup` calls `listGrace` and `dropPrevious` once a grace period is over.
 *
 * The rule every implementation keeps: a reader using the service's own default read (AWS
 * `GetSecretValue` without a stage, Vault KV v2 `GET <mount>/data/<name>`, GCP `versions/latest`,
 * Azure `GET /secrets/<name>`) sees the old value until `promote` and the new one after, never the
 * pending value and never a 404 — before, during set and test, after a failed test, after
 * `--abort`, after kill -9 between any two calls, and after a resumed run. So the pending value is
 * kept where default reads cannot reach it (a label default reads ignore, or a sibling secret
 * under `secretshift-pending/` that only secretshift reads), the real secret gets its new version
 * in one write at promotion, and the previous version stays readable by number or id through the
 * grace period. A store that cannot keep the rule has no rotation and says why in `cannotRotate`.
 *
 * Every method is durable when it resolves (no batching until `flush`): the steps between them have
 * effects outside the store (ALTER ROLE) that a crash must be able to pair with the store state.
 * Labels and notes are the only bookkeeping; values never leave the store except through
 * `readLabels`.
 *
 * How each provider maps it:
 * - `local` (`src/providers/local-rotation.ts`): version labels `pending` / `current` / `previous`
 *   in the store file, moved in one atomic rewrite; each version records the `runId` that wrote it;
 *   `meta["grace-until"]` (ISO), `meta["grace-version"]` (the `previous` it applies to) and
 *   `meta["note:<key>"]` on the secret.
 * - `aws`: `putPending` = `PutSecretValue` with `VersionStages: ["AWSPENDING"]` (AWSCURRENT stays)
 *   and `ClientRequestToken` derived from the run id (so a retry of the same run is idempotent and
 *   `runId` can be read back from the version id); `promote` = `UpdateSecretVersionStage` moving
 *   `AWSCURRENT` to the pending version (AWS moves `AWSPREVIOUS`) and removing `AWSPENDING`;
 *   grace end and notes in tags `secretshift:grace-until`, `secretshift:grace-version`,
 *   `secretshift:note:<key>`; `discardPending` removes the `AWSPENDING` stage (never leave one:
 *   AWS's own next rotation fails); `dropPrevious` removes the `AWSPREVIOUS` stage.
 * - `vault` KV v2 (`src/providers/vault-rotation.ts`): the pending value is the sibling path
 *   `secretshift-pending/<name>` (its data names the run and the version it will replace);
 *   `promote` writes the real key with `cas` = that version, records `current-version`,
 *   `previous-version`, `grace-until`, `note:<key>` in its custom_metadata, then deletes the sibling.
 *   `dropPrevious` destroys the previous version. KV v1 keeps no versions: `cannotRotate`.
 * - `gcp` (`src/providers/gcp-rotation.ts`): the pending value is a version of the sibling secret
 *   `secretshift-pending__<id>` (annotations name the run and the target); `promote` adds a version
 *   to the real secret, records the grace in its annotations, then deletes the sibling;
 *   `dropPrevious` destroys the previous version.
 * - `azure` (`src/providers/azure-rotation.ts`): the pending value is a version of the sibling
 *   secret `secretshift-pending--<name>` (tags name the run and the target); `promote` sets the real
 *   secret once, its grace record in the new version's tags, then disables the sibling's version
 *   (Key Vault soft-deletes whole secrets, so the sibling is kept); `dropPrevious` disables the
 *   previous version.
 * - `k8s`: a Secret keeps no versions, so nothing could stay readable through a grace period:
 *   `cannotRotate`.
 */
export interface RotatingStore {
  /** The labelled versions of one secret; undefined when the name has no current version. */
  readLabels(name: string): Promise<RotationLabels | undefined>;
  /**
   * Stores `value` as the pending version without touching current. Idempotent for the same
   * `runId` (returns the existing pending version); a pending version of another run is a
   * `ConflictError` (two rotations of one secret must not both proceed), unless its value is
   * already current (a promotion that died before removing it): that leftover is replaced.
   */
  putPending(name: string, value: string, runId: string): Promise<string>;
  /**
   * Pending becomes current, current becomes previous (readable until `graceUntil`), an older
   * previous is dropped, and the pending value is gone from where it waited. Returns the version
   * now current (where the provider numbers it only at promotion, it differs from `pendingVersion`).
   * Idempotent: a promotion that already landed is only completed. `ConflictError` when there is
   * no such pending version, or the secret changed since it was stored.
   */
  promote(op: PromoteOp): Promise<string>;
  /** Removes the pending version (only if `runId` wrote it, when given). True if one was removed. */
  discardPending(name: string, runId?: string): Promise<boolean>;
  /** Removes `version` if it is still `previous`, with its grace record. True if it was removed. */
  dropPrevious(name: string, version: string): Promise<boolean>;
  /** Every secret whose `previous` has a grace record: what `cleanup` looks at. No values. */
  listGrace(): Promise<GraceRecord[]>;
  /**
   * Pending values kept beside the secrets (sibling secrets), for `cleanup`: one whose value is
   * already current was left by a promotion that died before removing it. No values.
   */
  listPending?(): Promise<PendingRecord[]>;
}

export interface PendingRecord {
  readonly name: string;
  readonly version: string;
  readonly runId?: string;
  /** Its value is already the current one: only the leftover is to remove. */
  readonly promoted: boolean;
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
export function rotationOf(store: { readonly rotation?: RotatingStore; readonly cannotRotate?: string }): RotatingStore | undefined {
  return store.cannotRotate === undefined ? store.rotation : undefined;
}
