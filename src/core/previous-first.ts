import type { SecretStore, WriteOp } from "../providers/types.js";
import type { StepResult, Writer } from "./apply.js";
import type { DesiredSecret } from "./plan.js";

export interface PreviousFirst {
  /** What is left to write: a seeded name's create became an update of the version just written. */
  readonly ops: WriteOp[];
  /** Names whose previous value could not be written; their current value is not written either. */
  readonly failed: StepResult[];
}

/**
 * `--with-previous`: a secret the run creates gets the source's previous value first, each its own
 * journalled step, so the current value written next leaves it as the target's previous version.
 * Only creates: over an existing secret it would push that secret's own history out of reach of an
 * exact rollback. The backup still holds the name as absent, so a rollback deletes both versions.
 */
export async function writePreviousFirst(
  ops: readonly WriteOp[],
  desired: readonly DesiredSecret[],
  ctx: { readonly store: SecretStore; readonly writer: Writer; readonly concurrency: number },
): Promise<PreviousFirst> {
  const previous = new Map(desired.flatMap((d) => (d.previous !== undefined && d.previous !== d.value ? [[d.name, d.previous] as const] : [])));
  const seeds = ops.flatMap((op) => {
    const value = previous.get(op.name);
    // Its own run id: AWS derives the idempotency token from it, and two writes of one name in one run must not share one.
    return op.kind === "create" && value !== undefined && ctx.store.checkValue(value) === undefined ? [{ ...op, value, runId: `${op.runId}-previous` }] : [];
  });
  if (seeds.length === 0) return { ops: [...ops], failed: [] };
  const seeded = new Map((await ctx.writer.applyPlan(seeds, ctx.store, { concurrency: ctx.concurrency })).map((r) => [r.name, r]));
  const rest: WriteOp[] = [];
  const failed: StepResult[] = [];
  for (const op of ops) {
    const first = seeded.get(op.name);
    if (!first) rest.push(op);
    else if (first.status !== "done") failed.push(first);
    else rest.push({ ...op, kind: "update", ...(first.version ? { expectedVersion: first.version } : {}) });
  }
  return { ops: rest, failed };
}
