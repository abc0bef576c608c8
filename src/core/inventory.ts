import type { SecretSource, SourceWarning } from "../sources/types.js";
import { makeNameFilter, type NameFilter } from "./glob.js";
import { type NamingOptions, secretName } from "./naming.js";
import type { DesiredSecret } from "./plan.js";

export interface Inventory {
  readonly desired: DesiredSecret[];
  readonly warnings: SourceWarning[];
  /** Names a filter left out, so a summary can say how many were not considered. */
  readonly filtered: number;
}

/** Read every source to the end and name each entry; nothing is written. */
export async function readInventory(sources: readonly SecretSource[], naming: NamingOptions, filter: NameFilter): Promise<Inventory> {
  const keep = makeNameFilter(filter);
  const desired: DesiredSecret[] = [];
  const warnings: SourceWarning[] = [];
  let filtered = 0;
  for (const source of sources) {
    for await (const batch of source.read()) {
      warnings.push(...batch.warnings);
      for (const entry of batch.entries) {
        const name = secretName(entry, naming);
        if (keep(name)) desired.push({ name, value: entry.value, origin: entry.origin });
        else filtered++;
      }
    }
  }
  return { desired, warnings, filtered };
}
