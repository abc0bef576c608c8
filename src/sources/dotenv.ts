import dotenv from "dotenv";
import { holdsReference } from "../references/syntax.js";
import { expandDotenv } from "./dotenv-expand.js";
import { scanDotenv } from "./dotenv-scan.js";
import { dotenvWarnings } from "./dotenv-warnings.js";
import { lineOf } from "./origin.js";
import type { SourceEntry, SourceWarning } from "./types.js";

export { formatDotenv } from "./dotenv-format.js";

export interface DotenvOptions {
  /** Off by default: values are what dotenv.parse gives. */
  readonly expand?: boolean;
  /** A copy; never written. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Keys and values are `dotenv.parse`'s, for any input; the scanner only adds `file:line` and warnings. */
export function parseDotenv(text: string, file: string, options: DotenvOptions = {}): { entries: SourceEntry[]; warnings: SourceWarning[] } {
  const parsed = dotenv.parse(text);
  const given = new Map<string, string>();
  for (const key of Object.keys(parsed)) given.set(key, parsed[key] as string);
  const scan = scanDotenv(text);
  const warnings: SourceWarning[] = dotenvWarnings(scan, given).map((p) => ({ source: file, ...p }));

  // Each key in the order it first appears, at the line of its last assignment (the one dotenv keeps).
  const lines = new Map<string, number | undefined>();
  for (const a of scan.assignments) if (given.has(a.key)) lines.set(a.key, a.line);
  for (const key of given.keys()) if (!lines.has(key)) lines.set(key, undefined);

  let values = given;
  if (options.expand) {
    const expanded = expandDotenv(parsed, options.env ?? {});
    values = expanded.values;
    for (const { key, message } of expanded.notes.filter((n) => !holdsReference(given.get(n.key) ?? "")))
      warnings.push({ source: file, ...lineOf({ line: lines.get(key) }), message: `${key}: ${message}` });
    warnings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  }
  // dotenv-expand would empty a ${secret:…} reference: a value holding one stays as dotenv.parse gave it.
  const kept = options.expand
    ? (key: string) => (holdsReference(given.get(key) ?? "") ? given.get(key) : values.get(key)) ?? ""
    : (key: string) => given.get(key) ?? "";
  const entries: SourceEntry[] = [];
  for (const [key, line] of lines) entries.push({ key, value: kept(key), origin: line === undefined ? { source: file } : { source: file, line } });
  return { entries, warnings };
}
