import dotenv from "dotenv";
import { holdYoung } from "../core/heap-governor.js";
import { holdsReference } from "../references/syntax.js";
import { expandDotenv } from "./dotenv-expand.js";
import { lastAssignments } from "./dotenv-last.js";
import { type DotenvScan, scanDotenv } from "./dotenv-scan.js";
import { dotenvWarnings, type Given, type Problem } from "./dotenv-warnings.js";
import { lineOf } from "./origin.js";
import type { SourceEntry, SourceWarning } from "./types.js";

export { formatDotenv } from "./dotenv-format.js";

/** A warning before it is given a file; `--expand`'s notes may have no line. */
export type PieceProblem = Omit<Problem, "line"> & { readonly line?: number };

export interface DotenvOptions {
  /** Off by default: values are what dotenv.parse gives. */
  readonly expand?: boolean;
  /** A copy; never written. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The line the text starts on, where it is a piece of a larger file (dotenv-stream.ts). */
  readonly firstLine?: number;
}

/** Keys and values are `dotenv.parse`'s, for any input; the scanner only adds `file:line` and warnings. */
export function parseDotenv(text: string, file: string, options: DotenvOptions = {}): { entries: SourceEntry[]; warnings: SourceWarning[] } {
  const { entries, problems } = readDotenv(text, file, options);
  const warnings: SourceWarning[] = problems.map((p) => ({ source: file, ...lineOf(p), message: p.message }));
  return { entries, warnings };
}

/** `parseDotenv`, with its warnings as problems and the scan, for a piece of a larger file (dotenv-stream.ts). */
export function readDotenv(text: string, file: string, options: DotenvOptions = {}): { entries: SourceEntry[]; problems: PieceProblem[]; scan: DotenvScan } {
  const parsed = dotenv.parse(text);
  holdYoung();
  const { keys, values: inOrder } = keysAndValues(parsed);
  const given: Given = { get: (key) => (Object.hasOwn(parsed, key) ? parsed[key] : undefined) };
  const scan = scanDotenv(text, options.firstLine);
  const last = lastAssignments(scan, parsed, keys);
  const problems: PieceProblem[] = dotenvWarnings(scan, given, last);
  const lastLine = (key: string) => scan.assignments[last.get(key) ?? -1]?.line;

  let values = given;
  if (options.expand) {
    const expanded = expandDotenv(parsed, options.env ?? {});
    values = expanded.values;
    for (const { key, message } of expanded.notes.filter((n) => !holdsReference(given.get(n.key) ?? "")))
      problems.push({ ...lineOf({ line: lastLine(key) }), message: `${key}: ${message}` });
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  }
  // dotenv-expand would empty a ${secret:…} reference: a value holding one stays as dotenv.parse gave it.
  const kept = options.expand
    ? (key: string) => (holdsReference(given.get(key) ?? "") ? given.get(key) : values.get(key)) ?? ""
    : (key: string) => given.get(key) ?? "";
  const entries: SourceEntry[] = [];
  const entry = (key: string, line: number | undefined, value = kept(key)) => ({
    key,
    value,
    origin: line === undefined ? { source: file } : { source: file, line },
  });
  let j = 0;
  last.forEach((i, key) => {
    const at = j++;
    const theirs = keys[at];
    const line = scan.assignments[i]?.line;
    // dotenv's own string for the key where the orders agree: its object then finds it without hashing a
    // copy, and (without --expand) its value is the one at the same place; an undefined value is looked up.
    entries.push(theirs === key ? entry(theirs, line, options.expand ? undefined : inOrder[at]) : entry(key, line));
  });
  // A key dotenv gives that no assignment was found for would be a scanner bug: it is still migrated, without a line.
  if (last.size !== keys.length) for (const key of keys) if (!last.has(key)) entries.push(entry(key, undefined));
  return { entries, problems, scan };
}

/**
 * dotenv's keys and values in its own order (Object.keys', for an object of string keys), read in one
 * for-in: dotenv's object of a hundred thousand keys is a dictionary, where Object.keys and
 * Object.values each walk and sort it (~25 and ~80 ms), and the loop reads both in ~35 ms.
 */
function keysAndValues(parsed: Record<string, string>): { keys: string[]; values: string[] } {
  const keys: string[] = [];
  const values: string[] = [];
  for (const key in parsed) {
    if (!Object.hasOwn(parsed, key)) continue;
    keys.push(key);
    values.push(parsed[key] as string);
  }
  return { keys, values };
}
