import type { AdaptiveLimiter } from "../../core/adaptive-limiter.js";
import { CliError, ExitCode } from "../../core/errors.js";
import { type Settling, untilSettled } from "../shared/settling.js";
import type { RevertOp, RevertOutcome } from "../types.js";
import type { KeyVaultApi } from "./client.js";
import { conflictOf, statusOf, toCliError } from "./errors.js";
import { runTags, TAG_RUN, toVaultName } from "./names.js";
import type { AzureReader } from "./read.js";

export interface AzureRevertContext {
  readonly api: KeyVaultApi;
  readonly reader: AzureReader;
  readonly writes: AdaptiveLimiter;
  readonly vaultUrl: string;
  readonly purge: boolean;
  readonly settling: Settling;
}

/**
 * Every version a run writes carries its run id, so the current one says whether it is still the
 * run's. An updated secret gets the pre-run value set again, tagged `<run>:revert` for a second rollback.
 */
export async function revertAzure(c: AzureRevertContext, op: RevertOp): Promise<RevertOutcome> {
  const stored = toVaultName(op.name);
  const call = async <T>(name: string, fn: () => Promise<T>, value?: string): Promise<T> => {
    try {
      return await c.writes.run(fn);
    } catch (e) {
      throw toCliError(e, { op: name, name: op.name, vaultUrl: c.vaultUrl, ...(value === undefined ? {} : { value }) });
    }
  };
  // A purge right after a delete meets "currently being deleted" (409) until the vault is done; gone already is fine.
  const purgeOnce = () =>
    c.writes
      .run(() => c.api.purge(stored))
      .then(
        () => true,
        (e) =>
          statusOf(e) === 404
            ? true
            : conflictOf(e) === "busy"
              ? undefined
              : Promise.reject(toCliError(e, { op: "PurgeDeletedSecret", name: op.name, vaultUrl: c.vaultUrl })),
      );
  const stillDeleting = () =>
    new CliError("AZURE_STILL_DELETING", `${op.name} is still being deleted by Azure Key Vault`, {
      exitCode: ExitCode.failed,
      hint: "run the rollback again with --purge in a few minutes",
    });
  const purge = () => untilSettled(purgeOnce, c.settling, stillDeleting);
  const live = await c.reader.find(stored);
  const ours = live !== undefined && (live.tags[TAG_RUN] === op.runId || live.version === op.writtenVersion);

  if (!op.prior.existed) {
    if (!live) {
      // An earlier rollback deleted it; with --purge, finish what it may not have.
      const gone = c.purge ? await c.reader.deleted(stored) : undefined;
      if (gone?.tags[TAG_RUN] === op.runId) await purge();
      return "already";
    }
    if (!ours) return "changed-since";
    await call("DeleteSecret", () => c.api.remove(stored));
    if (c.purge) await purge();
    return "reverted";
  }

  if (!live) return "changed-since";
  if (live.version === op.prior.version || live.tags[TAG_RUN] === `${op.runId}:revert`) return "already";
  if (!ours) return "changed-since";
  const kept = op.prior.version ? await c.reader.find(stored, op.prior.version) : undefined;
  const value = kept?.value ?? op.prior.value;
  if (value === undefined || value === "") {
    throw new CliError("AZURE_PRIOR_GONE", `cannot restore ${op.name}: version ${op.prior.version ?? "?"} is gone and the backup holds no value for it`, {
      exitCode: ExitCode.failed,
    });
  }
  await call("SetSecret", () => c.api.set(stored, value, runTags(op.name, `${op.runId}:revert`)), value);
  return "reverted";
}
