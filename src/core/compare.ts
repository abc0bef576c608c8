import { type CurrentSecret, holds } from "../providers/types.js";
import { lineOf } from "../sources/origin.js";
import { type DesiredSecret, EMPTY_REASON, groupByName, type PlanItem } from "./plan.js";

export type DriftAction = "in-sync" | "missing" | "different" | "extra" | "conflict" | "skip";

export interface DriftItem extends Omit<PlanItem, "action"> {
  readonly action: DriftAction;
}

/**
 * Pure comparison for `validate`: source vs vault. `extra` names (in the vault under the prefix,
 * not in the source) are reported always but count as drift only when `exact` is set. Empty source
 * values are `skip`, as in migrate: never migrated, so never missing.
 */
export function compareState(desired: readonly DesiredSecret[], current: ReadonlyMap<string, CurrentSecret>, listed: readonly string[]): DriftItem[] {
  const byName = groupByName(desired);
  const items: DriftItem[] = [];
  for (const [name, group] of byName) {
    const want = group[group.length - 1] as DesiredSecret;
    const base = { name, source: want.origin.source, ...lineOf(want.origin) };
    const have = current.get(name);
    if (new Set(group.map((d) => d.value)).size > 1) items.push({ ...base, action: "conflict", reason: "defined with different values in several sources" });
    else if (want.value === "") items.push({ ...base, action: "skip", reason: EMPTY_REASON });
    else if (!have || have.deleted) items.push({ ...base, action: "missing", reason: have?.deleted ? "scheduled for deletion" : "not in the provider" });
    else if (!holds(have, want.value)) items.push({ ...base, action: "different", version: have.version, reason: "the provider holds a different value" });
    else items.push({ ...base, action: "in-sync", version: have.version });
  }
  for (const name of listed) {
    if (!byName.has(name)) items.push({ name, action: "extra", source: "(provider)", reason: "in the provider but not in the source" });
  }
  return items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
