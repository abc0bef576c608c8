import type { AdaptiveLimiter } from "../../core/adaptive-limiter.js";
import { CliError, ExitCode } from "../../core/errors.js";
import type { RevertOp, RevertOutcome } from "../types.js";
import type { SecretsManagerApi } from "./client.js";
import { toCliError } from "./errors.js";
import { requestToken } from "./names.js";
import { type AwsReader, CURRENT } from "./read.js";

export interface AwsRevertContext {
  readonly api: SecretsManagerApi;
  readonly reader: AwsReader;
  readonly writes: AdaptiveLimiter;
  readonly endpoint: string | undefined;
  readonly recoveryWindow: number | undefined;
}

/** An updated secret gets AWSCURRENT moved back, which sends no value, or the backup's value when that version is gone. */
export async function revertAws(c: AwsRevertContext, op: RevertOp): Promise<RevertOutcome> {
  const call = async <T>(name: string, fn: () => Promise<T>, value?: string) => {
    try {
      return await c.writes.run(fn);
    } catch (e) {
      throw toCliError(e, { op: name, name: op.name, value, endpoint: c.endpoint });
    }
  };
  const ours = new Set([requestToken(op.runId, op.name), ...(op.writtenVersion ? [op.writtenVersion] : [])]);
  const restoreToken = requestToken(`${op.runId}:revert`, op.name);
  const state = await c.reader.describe(op.name);
  if (!op.prior.existed) {
    if (!state || state.deleted) return "already";
    if (!state.current || !ours.has(state.current)) return "changed-since";
    const how = c.recoveryWindow === undefined ? { ForceDeleteWithoutRecovery: true } : { RecoveryWindowInDays: c.recoveryWindow };
    await call("DeleteSecret", () => c.api.deleteSecret({ SecretId: op.name, ...how }));
    return "reverted";
  }
  if (!state || state.deleted) return "changed-since";
  if (state.current === op.prior.version || state.current === restoreToken) return "already";
  if (!state.current || !ours.has(state.current)) return "changed-since";
  const prior = op.prior.version;
  if (prior !== undefined && (state.versions.has(prior) || (await c.reader.hasVersion(op.name, prior)))) {
    const input = { SecretId: op.name, VersionStage: CURRENT, MoveToVersionId: prior, RemoveFromVersionId: state.current };
    await call("UpdateSecretVersionStage", () => c.api.updateSecretVersionStage(input));
    return "reverted";
  }
  const value = op.prior.value;
  if (value === undefined) {
    throw new CliError("AWS_REVERT_NO_VALUE", `cannot restore ${op.name}: its previous version is gone and the backup holds no value`, {
      exitCode: ExitCode.failed,
    });
  }
  await call("PutSecretValue", () => c.api.putSecretValue({ SecretId: op.name, SecretString: value, ClientRequestToken: restoreToken }), value);
  return "reverted";
}
