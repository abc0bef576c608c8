import { at } from "../sources/origin.js";
import type { SecretSource, SourceEntry, SourceWarning } from "../sources/types.js";
import { usageError } from "./errors.js";
import type { NameMatcher } from "./glob.js";
import { settleHeap } from "./heap-governor.js";
import { type NamingOptions, secretName } from "./naming.js";
import type { DesiredSecret } from "./plan.js";

export interface Inventory {
  readonly desired: DesiredSecret[];
  readonly warnings: SourceWarning[];
  readonly filtered: number;
}

export interface DesiredBatch extends Inventory {
  readonly sourceIndex: number;
  readonly expected?: number;
}

/** Named and filtered, one source batch held at a time; `skip` leaves out what must never be compared or migrated. */
export async function* desiredBatches(
  sources: readonly SecretSource[],
  naming: NamingOptions,
  filter: NameMatcher,
  skip?: (d: DesiredSecret) => boolean,
): AsyncGenerator<DesiredBatch> {
  for (const [sourceIndex, source] of sources.entries()) {
    for await (const batch of source.read()) {
      await settleHeap();
      const desired: DesiredSecret[] = [];
      const refused: { name: string; entry: SourceEntry }[] = [];
      let filtered = 0;
      for (const entry of batch.entries) {
        const d: { name: string; value: string; origin: DesiredSecret["origin"]; previous?: string } = {
          name: secretName(entry, naming),
          value: entry.value,
          origin: entry.origin,
        };
        if (entry.previous !== undefined) d.previous = entry.previous;
        if (!filter.keep(d.name) || skip?.(d)) filtered++;
        else if (entry.refused !== undefined) refused.push({ name: d.name, entry });
        else desired.push(d);
      }
      if (refused.length > 0) throw refusal(refused);
      yield { desired, warnings: batch.warnings, filtered, sourceIndex, ...(batch.expected === undefined ? {} : { expected: batch.expected }) };
    }
  }
}

function refusal(refused: readonly { name: string; entry: SourceEntry }[]) {
  const [{ name, entry }] = refused as [{ name: string; entry: SourceEntry }];
  const more = refused.length > 1 ? ` (and ${refused.length - 1} more)` : "";
  return usageError(
    "SOURCE_INVALID",
    `${at(entry.origin)}: ${entry.refused}${more}`,
    `store it as one string (for example JSON-encoded), or --exclude '${name}'`,
  );
}

/** For commands that need everything at once. */
export async function readInventory(sources: readonly SecretSource[], naming: NamingOptions, filter: NameMatcher): Promise<Inventory> {
  const desired: DesiredSecret[] = [];
  const warnings: SourceWarning[] = [];
  let filtered = 0;
  for await (const batch of desiredBatches(sources, naming, filter)) {
    desired.push(...batch.desired);
    warnings.push(...batch.warnings);
    filtered += batch.filtered;
  }
  return { desired, warnings, filtered };
}
