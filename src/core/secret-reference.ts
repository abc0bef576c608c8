import { isProviderName } from "../providers/index.js";
import type { ProviderName } from "../providers/types.js";

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
