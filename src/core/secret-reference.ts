import type { ProviderName } from "../providers/index.js";
import { isProviderName } from "../providers/index.js";
import type { CurrentSecret } from "../providers/types.js";
import type { DriftItem } from "./compare.js";
import type { DesiredSecret } from "./plan.js";

/** `secret:<provider>:<name>`, left by `--scrub reference`. Only database cells are read this way; a `.env` value is just a value. */
export interface SecretReference {
  readonly provider: ProviderName;
  readonly name: string;
}

const PREFIX = "secret:";

export const formatReference = (provider: ProviderName, name: string): string => `${PREFIX}${provider}:${name}`;

export function parseReference(value: string): SecretReference | undefined {
  if (!value.startsWith(PREFIX)) return undefined;
  const rest = value.slice(PREFIX.length);
  const colon = rest.indexOf(":");
  const provider = rest.slice(0, colon);
  const name = rest.slice(colon + 1);
  if (colon < 1 || name === "" || /[\r\n]/.test(name) || !isProviderName(provider)) return undefined;
  return { provider, name };
}

export const referenceInCell = (entry: { value: string; origin: { column?: string } }): SecretReference | undefined =>
  entry.origin.column === undefined ? undefined : parseReference(entry.value);

export interface ReferenceCell {
  readonly cell: DesiredSecret;
  readonly target: SecretReference;
}

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

/** In sync when the named secret exists here; its value is not compared. */
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
