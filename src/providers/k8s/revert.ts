import { CliError, ExitCode } from "../../core/errors.js";
import type { RevertOp, RevertOutcome } from "../types.js";

/** What undoing a name does to its key: nothing (the outcome says why), put the prior value back, or remove the key. */
export type RevertChange = { readonly outcome: RevertOutcome } | { readonly set: string } | { readonly remove: true };

/**
 * Kubernetes keeps no versions, so a revert restores the backup's value, and only over what the
 * run itself wrote: the value whose fingerprint the journal recorded after the write or, for a
 * write killed before that, the value its intent's digest names.
 */
export function revertChange(op: RevertOp, current: string | undefined, fingerprint: (name: string, value: string) => string): RevertChange {
  const { name, prior } = op;
  const ours =
    current !== undefined && (op.writtenVersion !== undefined ? fingerprint(name, current) === op.writtenVersion : op.inFlight?.sent(current) === true);
  if (!prior.existed) {
    if (current === undefined) return { outcome: "already" };
    return ours ? { remove: true } : { outcome: "changed-since" };
  }
  if (prior.value === undefined) {
    throw new CliError("K8S_NO_BACKUP_VALUE", `cannot restore ${name}: Kubernetes keeps no versions and the backup holds no value for it`, {
      exitCode: ExitCode.failed,
    });
  }
  if (current === prior.value) return { outcome: "already" };
  return ours ? { set: prior.value } : { outcome: "changed-since" };
}
