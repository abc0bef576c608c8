import type { SourceEntry } from "../sources/types.js";
import { usageError } from "./errors.js";

export interface NamingOptions {
  readonly prefix?: string;
  /** `{key}`, `{table}`, `{row}`, `{column}`, `{env}`; default `{key}` for files, `{table}/{row}/{column}` for columns. */
  readonly template?: string;
  readonly env?: string;
}

const PLACEHOLDER = /\{([a-z]+)\}/g;
const KNOWN = new Set(["key", "table", "row", "column", "env"]);

/** Refuse a bad template once, up front, instead of producing odd names for every entry. */
export function checkTemplate(template: string): void {
  for (const match of template.matchAll(PLACEHOLDER)) {
    const field = match[1] ?? "";
    if (!KNOWN.has(field)) {
      throw usageError("BAD_TEMPLATE", `--name-template uses unknown placeholder {${field}}`, "use {key}, {table}, {row}, {column} or {env}");
    }
  }
}

export function secretName(entry: SourceEntry, options: NamingOptions): string {
  const { origin } = entry;
  const fromColumn = origin.table !== undefined;
  const template = options.template ?? (fromColumn ? "{table}/{row}/{column}" : "{key}");
  // Every line of a file passes here: the common template needs no pattern work.
  if (template === "{key}") return `${options.prefix ?? ""}${entry.key}`;
  const body = template.replace(PLACEHOLDER, (_whole, field: string) => {
    const value = fieldOf(entry, options, field);
    if (value === undefined) {
      throw usageError("BAD_TEMPLATE", `--name-template needs {${field}}, which ${origin.source} does not provide`);
    }
    return value;
  });
  return `${options.prefix ?? ""}${body}`;
}

/** A switch, so a placeholder such as {constructor} finds nothing rather than Object's constructor. */
function fieldOf(entry: SourceEntry, options: NamingOptions, field: string): string | undefined {
  switch (field) {
    case "key":
      return entry.key;
    case "table":
      return entry.origin.table;
    case "row":
      return entry.origin.row;
    case "column":
      return entry.origin.column;
    case "env":
      return options.env;
    default:
      return undefined;
  }
}
