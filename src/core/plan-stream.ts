import { createHmac, randomBytes } from "node:crypto";
import type { CurrentSecret, SecretStore } from "../providers/types.js";
import { at, lineOf } from "../sources/origin.js";
import type { SecretSource, SourceWarning } from "../sources/types.js";
import type { NameMatcher } from "./glob.js";
import { desiredBatches } from "./inventory.js";
import { NameIndex } from "./name-index.js";
import type { NamingOptions } from "./naming.js";
import { type DesiredSecret, type Plan, type PlanItem, type PlanOptions, planMigration } from "./plan.js";

export interface PlannedBatch {
  readonly desired: DesiredSecret[];
  readonly current: ReadonlyMap<string, CurrentSecret>;
  readonly plan: Plan;
  readonly warnings: SourceWarning[];
  readonly filtered: number;
  /** From the source's first batch: about how many entries it holds in all. */
  readonly expected?: number;
}

export interface StreamOptions {
  readonly naming: NamingOptions;
  readonly filter: NameMatcher;
  readonly plan: PlanOptions;
  /** e.g. cells already holding a `secret:` reference. */
  readonly skip?: (d: DesiredSecret) => boolean;
}

/**
 * Names of earlier batches, each one number: a 44-bit keyed digest of the value (the key lives only
 * in this process) and the source's index. Tells a repeated value from a different one at a few
 * dozen bytes a name, and no value or unsalted hash of one is kept.
 */
class SeenNames {
  private readonly key = randomBytes(32);
  private readonly seen = new NameIndex(1 << 10, true);

  digest(value: string): number {
    return createHmac("sha256", this.key).update(value).digest().readUIntBE(0, 6) % 2 ** 44;
  }

  get(name: string): { digest: number; source: number } | undefined {
    const packed = this.seen.get(name);
    return packed === undefined ? undefined : { digest: Math.floor(packed / 256), source: packed % 256 };
  }

  remember(d: DesiredSecret, source: number): void {
    if (!this.seen.has(d.name)) this.seen.set(d.name, this.digest(d.value) * 256 + (source % 256));
  }
}

/** Memory bounded by the batch size; a name repeated in a later batch with another value is a conflict. */
export async function* planStream(sources: readonly SecretSource[], store: SecretStore, options: StreamOptions): AsyncGenerator<PlannedBatch> {
  const seen = new SeenNames();
  // A batch's names are remembered only once a later batch comes: a single batch costs no digest.
  let previous: { desired: readonly DesiredSecret[]; source: number } | undefined;
  const distinct = distinctNames(sources, options.naming);
  for await (const batch of desiredBatches(sources, options.naming, options.filter, options.skip)) {
    // Slices of the last source can only meet earlier sources' names when its own are distinct: nothing to remember.
    const sameDistinct = previous?.source === batch.sourceIndex && distinct(batch.sourceIndex);
    if (!sameDistinct) for (const d of previous?.desired ?? []) seen.remember(d, previous?.source ?? 0);
    const desired: DesiredSecret[] = [];
    const crossed: PlanItem[] = [];
    for (const d of batch.desired) {
      const earlier = previous && seen.get(d.name);
      if (!earlier) desired.push(d);
      else if (earlier.digest !== seen.digest(d.value)) crossed.push(crossConflict(d, sources[earlier.source]?.label ?? "an earlier batch"));
    }
    previous = { desired, source: batch.sourceIndex };
    const current = await store.readMany([...new Set(desired.map((d) => d.name))]);
    const planned = planMigration(desired, current, options.plan);
    const plan = crossed.length === 0 ? planned : { items: [...planned.items, ...crossed], ops: planned.ops, blocked: true };
    yield { desired, current, plan, warnings: batch.warnings, filtered: batch.filtered, expected: batch.expected };
  }
}

/** Only the last source's slices can skip remembering: an earlier source's names may still come again later. */
function distinctNames(sources: readonly SecretSource[], naming: NamingOptions): (index: number) => boolean {
  return (index) => index === sources.length - 1 && sources[index]?.distinctNames?.(naming.template) === true;
}

const crossConflict = (d: DesiredSecret, first: string): PlanItem => ({
  name: d.name,
  action: "conflict",
  source: d.origin.source,
  ...lineOf(d.origin),
  reason: `defined with different values in ${first}, ${at(d.origin)}`,
  hint: "keep one definition, or --exclude it",
});
