import type { AdaptiveLimiter } from "../../core/adaptive-limiter.js";
import { CliError, ExitCode } from "../../core/errors.js";
import type { RevertOp, RevertOutcome } from "../types.js";
import type { SecretManagerApi } from "./client.js";
import { statusOf, toCliError } from "./errors.js";
import { toSecretId } from "./names.js";
import type { GcpReader } from "./read.js";

export interface GcpRevertContext {
  readonly api: SecretManagerApi;
  readonly reader: GcpReader;
  readonly writes: AdaptiveLimiter;
  readonly endpoint: string | undefined;
}

const stale = (e: unknown) => ["ABORTED", "FAILED_PRECONDITION"].includes(statusOf(e));

/**
 * The run's version is the one journalled, or for a write killed before that, the enabled version
 * above the prior one holding what the intent's digest names (the next number is not reserved).
 * GCP cannot make an old version current: the prior payload is added anew and the run's disabled.
 */
export async function revertGcp(c: GcpRevertContext, op: RevertOp): Promise<RevertOutcome> {
  const id = toSecretId(op.name);
  const call = async <T>(name: string, fn: () => Promise<T>) => {
    try {
      return await c.writes.run(fn);
    } catch (e) {
      throw toCliError(e, { op: name, name: op.name, endpoint: c.endpoint });
    }
  };

  if (!op.prior.existed) {
    const meta = await c.reader.secret(id);
    if (!meta) return "already";
    const [newest] = await c.reader.versions(id);
    // No version at all: the run created the secret and was stopped before adding its value.
    if (newest && newest.number !== (await runVersion(c, id, op))) return "changed-since";
    try {
      await c.writes.run(() => c.api.deleteSecret(id, meta.etag));
    } catch (e) {
      if (statusOf(e) === "NOT_FOUND") return "already";
      if (stale(e)) return "changed-since";
      throw toCliError(e, { op: "DeleteSecret", name: op.name, endpoint: c.endpoint });
    }
    return "reverted";
  }

  const prior = op.prior.version;
  const current = await c.reader.current(id);
  if (!current) return "changed-since";
  if (prior !== undefined && current.number === prior) return "already";
  const wrote = await runVersion(c, id, op);
  const restore = await priorValue(c, id, op);
  if (current.number === wrote) {
    await call("AddSecretVersion", () => c.api.addVersion(id, Buffer.from(restore, "utf8")));
  } else if (wrote === undefined || Number(current.number) < Number(wrote) || current.value !== restore) {
    return "changed-since";
  }
  // The prior value is current again (now, or since an earlier rollback): the run's version must not stay enabled.
  const ours = wrote === undefined ? undefined : await c.reader.versions(id).then((all) => all.find((v) => v.number === wrote));
  if (ours?.state === "ENABLED") {
    try {
      await c.writes.run(() => c.api.disableVersion(id, ours.number, ours.etag));
    } catch (e) {
      if (!stale(e)) throw toCliError(e, { op: "DisableSecretVersion", name: op.name, endpoint: c.endpoint });
    }
  }
  return current.number === wrote ? "reverted" : "already";
}

/** Journals older than intent digests assume the next number. */
async function runVersion(c: GcpRevertContext, id: string, op: RevertOp): Promise<string | undefined> {
  if (op.writtenVersion !== undefined) return op.writtenVersion;
  const after = Number(op.prior.version ?? 0);
  const inFlight = op.inFlight;
  if (!inFlight) return String(after + 1);
  for (const v of await c.reader.versions(id, "state:ENABLED")) {
    if (Number(v.number) <= after) break;
    const held = await c.reader.value(id, v.number).catch((e) => {
      // Disabled or destroyed since it was listed: not the current value, so not one to undo.
      if (statusOf(e) === "NOT_FOUND" || statusOf(e) === "FAILED_PRECONDITION") return undefined;
      throw toCliError(e, { op: "AccessSecretVersion", name: op.name, endpoint: c.endpoint });
    });
    if (held && inFlight.sent(held.value)) return v.number;
  }
  return undefined;
}

/** The backup's copy only when that version is disabled or destroyed. */
async function priorValue(c: GcpRevertContext, id: string, op: RevertOp): Promise<string> {
  if (op.prior.version !== undefined) {
    try {
      return (await c.reader.value(id, op.prior.version)).value;
    } catch (e) {
      const status = statusOf(e);
      if (status !== "NOT_FOUND" && status !== "FAILED_PRECONDITION") throw toCliError(e, { op: "AccessSecretVersion", name: op.name, endpoint: c.endpoint });
    }
  }
  if (op.prior.value !== undefined) return op.prior.value;
  throw new CliError("GCP_PRIOR_GONE", `cannot restore ${op.name}: version ${op.prior.version ?? "?"} is gone and the backup holds no value for it`, {
    exitCode: ExitCode.failed,
  });
}
