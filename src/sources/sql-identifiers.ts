import { usageError } from "../core/errors.js";

/** Typed identifiers are checked strictly and always double-quoted, so they cannot change a statement's shape. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;
const MAX_LENGTH = 63; // PostgreSQL's NAMEDATALEN - 1; longer names would be silently truncated

export interface QualifiedName {
  readonly schema: string | undefined;
  readonly name: string;
  readonly text: string;
}

export function checkIdentifier(value: string, what: string): string {
  if (!IDENTIFIER.test(value) || value.length > MAX_LENGTH) {
    throw usageError(
      "BAD_IDENTIFIER",
      `${what} ${JSON.stringify(value.slice(0, 80))} is not a plain SQL identifier`,
      "use letters, digits, _ and $ (not starting with a digit), at most 63 characters; schema-qualify a table as schema.table",
    );
  }
  return value;
}

export function parseQualifiedName(value: string, what = "table"): QualifiedName {
  const parts = value.split(".");
  if (parts.length > 2) throw usageError("BAD_IDENTIFIER", `${what} ${JSON.stringify(value.slice(0, 80))} has too many dots`, "use table or schema.table");
  const [first = "", second] = parts;
  if (second === undefined) return { schema: undefined, name: checkIdentifier(first, what), text: value };
  return { schema: checkIdentifier(first, `${what} schema`), name: checkIdentifier(second, what), text: value };
}

/** Quotes an identifier that already passed `checkIdentifier` (which rules out `"`). */
export const quoteIdent = (value: string): string => `"${value}"`;

export const quoteQualified = (name: QualifiedName): string =>
  name.schema === undefined ? quoteIdent(name.name) : `${quoteIdent(name.schema)}.${quoteIdent(name.name)}`;
