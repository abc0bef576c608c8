import { CliError, ExitCode } from "../../core/errors.js";
import type { RevertOp, RevertOutcome } from "../types.js";
import { fieldOf, isCasMismatch, type KvClient } from "./kv.js";

export interface RevertContext {
  readonly kv: KvClient;
  readonly field: string;
  readonly fingerprint: (name: string, value: string) => string;
  readonly runTag: (runId: string) => string;
}

/**
 * KV v2. The current version is the run's when it is the one the journal recorded, or, for a write
 * killed before its outcome, the one its check-and-set would create holding what the run sent (the
 * `last-run` tag is written after the data). Created keys are removed; updated ones get the prior
 * data back as a new version, with check-and-set.
 */
export async function revertV2(c: RevertContext, op: RevertOp): Promise<RevertOutcome> {
  const { kv } = c;
  const { name, prior } = op;
  const meta = await kv.readMeta(name);
  const wrote = op.writtenVersion === undefined ? undefined : Number(op.writtenVersion);
  const tag = meta?.custom["last-run"];
  // Without a recorded outcome: the version the intent's check-and-set would create (older journals: the next one).
  const priorVersion = prior.version === undefined ? undefined : Number(prior.version);
  const next = op.inFlight?.toVersion ?? String(prior.existed ? (priorVersion ?? Number.NaN) + 1 : 1);
  const landed = async () =>
    meta !== undefined &&
    String(meta.current) === next &&
    (tag === c.runTag(op.runId) || op.inFlight?.sent(fieldOf((await kv.readLatest(name))?.data, c.field) ?? "") === true);
  const ours = async () => (wrote !== undefined ? meta?.current === wrote && (tag === c.runTag(op.runId) || tag === undefined) : await landed());

  if (!prior.existed) {
    if (!meta) return "already";
    if (!(await ours())) return "changed-since";
    await kv.remove(name);
    return "reverted";
  }
  if (!meta) return "changed-since";
  if (priorVersion !== undefined && meta.current === priorVersion) return "already";
  const restore = await priorData(c, name, priorVersion, prior.value);
  if (!(await ours())) {
    // Someone wrote after the run, unless an earlier rollback already put the prior value back.
    const latest = await kv.readLatest(name);
    const same = restore !== undefined && fieldOf(latest?.data, c.field) === fieldOf(restore, c.field);
    return same ? "already" : "changed-since";
  }
  if (!restore) {
    throw new CliError(
      "VAULT_PRIOR_GONE",
      `cannot restore ${kv.dataPath(name)}: version ${prior.version ?? "?"} is gone and the backup holds no value for it`,
      {
        exitCode: ExitCode.failed,
      },
    );
  }
  try {
    await kv.write(name, restore, "update", meta.current);
  } catch (error) {
    if (isCasMismatch(error)) return "changed-since";
    throw error;
  }
  return "reverted";
}

/** The backup's value (over the current fields) only when the prior version is gone. */
async function priorData(c: RevertContext, name: string, version: number | undefined, backup: string | undefined) {
  const kept = version === undefined ? undefined : await c.kv.readVersion(name, version);
  if (kept) return kept;
  if (backup === undefined) return undefined;
  const latest = await c.kv.readLatest(name);
  return { ...(latest?.data ?? {}), [c.field]: backup };
}

/** From the encrypted backup, only over what the run itself wrote. */
export async function revertV1(c: RevertContext, op: RevertOp): Promise<RevertOutcome> {
  const { kv } = c;
  const { name, prior } = op;
  const current = await kv.readLatest(name);
  const value = fieldOf(current?.data, c.field);
  // The run's value, by the version journalled after the write or, killed before that, by its intent's digest.
  const ours = value !== undefined && (op.writtenVersion !== undefined ? c.fingerprint(name, value) === op.writtenVersion : op.inFlight?.sent(value) === true);
  if (!prior.existed) {
    if (!current) return "already";
    if (!ours) return "changed-since";
    await kv.remove(name);
    return "reverted";
  }
  if (prior.value === undefined) {
    throw new CliError("VAULT_NO_BACKUP_VALUE", `cannot restore ${kv.dataPath(name)}: KV v1 keeps no versions and the backup holds no value for it`, {
      exitCode: ExitCode.failed,
    });
  }
  if (value === prior.value) return "already";
  if (!ours || !current) return "changed-since";
  await kv.write(name, { ...current.data, [c.field]: prior.value }, "update");
  return "reverted";
}
