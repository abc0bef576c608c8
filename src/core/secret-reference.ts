import type { ProviderName } from "../providers/index.js";
import { isProviderName } from "../providers/index.js";
import type { CurrentSecret } from "../providers/types.js";
import type { DriftItem } from "./compare.js";
import type { DesiredSecret } from "./plan.js";

/**
 * What `--scrub reference` leaves in a database cell: `secret:<provider>:<name>`. Only cells read
 * from a database are ever interpreted this way; a `.env` value that happens to look like one is
 * just a value.
 */
export interface SecretReference {
  readonly provider: ProviderName;
  readonly name: string;
}

const PREFIX = "secret:";

export const formatReference = (provider: ProviderName, name: string): string => `${PREFIX}${provider}:${name}`;

/** The reference a cell holds, or undefined for an ordinary value (including `secret:` with an unknown provider). */
export function parseReference(value: string): SecretReference | undefined {
  if (!value.startsWith(PREFIX)) return undefined;
  const rest = value.slice(PREFIX.length);
  const colon = rest.indexOf(":");
  const provider = rest.slice(0, colon);
  const name = rest.slice(colon + 1);
  if (colon < 1 || name === "" || /[\r\n]/.test(name) || !isProviderName(provider)) return undefined;
  return { provider, name };
}

/** A database cell (it has a column in its origin) that holds a reference rather than a secret. */
export const referenceInCell = (entry: { value: string; origin: { column?: string } }): SecretReference | undefined =>
  entry.origin.column === undefined ? undefined : parseReference(entry.value);

export interface ReferenceCell {
  readonly cell: DesiredSecret;
  readonly target: SecretReference;
}

/** Splits validate's inventory into cells to compare by value and cells that hold a reference. */
export function splitReferenceCells(desired: readonly DesiredSecret[]): { values: DesiredSecret[]; references: ReferenceCell[] } {
  const values: DesiredSecret[] = [];
  const references: ReferenceCell[] = [];
  for (const d of desired) {
    const target = referenceInCell(d);
    if (target) references.push({ cell: d, target });
    else values.push(d);
  }
  return { values, references };
}

/** Pure: a reference cell is in sync when the secret it names exists in this provider (its value is not compared). */
export function checkReferences(references: readonly ReferenceCell[], provider: ProviderName, current: ReadonlyMap<string, CurrentSecret>): DriftItem[] {
  return references.map(({ cell, target }) => {
    const base = { name: cell.name, source: cell.origin.source };
    const shown = formatReference(target.provider, target.name);
    if (target.provider !== provider)
      return { ...base, action: "different", reason: `the cell refers to provider ${target.provider} (${shown}); validate it against ${target.provider}` };
    const have = current.get(target.name);
    if (!have || have.deleted) return { ...base, action: "missing", reason: `the cell's reference ${shown} names no secret in ${provider}` };
    return { ...base, action: "in-sync", version: have.version };
  });
}
