import { type Assignment, assignments, NAME_FIELD, VALUE_FIELD } from "./assignments.js";
import { isReference } from "./benign.js";
import { detectLine } from "./detect.js";
import { privateKeys } from "./private-keys.js";
import type { Hit } from "./types.js";

export interface TextOptions {
  /** Unquoted values count as assignments (configuration files, cells); source code needs quotes. */
  readonly bare: boolean;
  /** The name the whole text is assigned to: a database column. */
  readonly key?: string;
}

export interface LocatedHit extends Hit {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** How far below `- name: X` a `value:` still belongs to X. */
const NAME_REACH = 3;

export function scanText(text: string, options: TextOptions): LocatedHit[] {
  // A cell holding `secret:<provider>:<name>` (left by `migrate --scrub reference`) is a reference, whatever else it looks like.
  if (options.key !== undefined && isReference(text.trim())) return [];
  const lines = splitLines(text);
  const locate = (hit: Hit): LocatedHit => {
    const from = position(lines, hit.start);
    const to = position(lines, hit.end);
    return { ...hit, line: from.line, column: from.column, endLine: to.line, endColumn: to.column };
  };
  const blocks = privateKeys(text);
  const found: Hit[] = [...blocks];
  let named: { name: string; line: number } | undefined;
  lines.forEach(({ start, text: line }, index) => {
    if (blocks.some((b) => b.start <= start && start + line.length <= b.end)) return;
    const pairs: Assignment[] = [];
    for (const pair of assignments(line, options.bare)) {
      if (NAME_FIELD.test(pair.key)) named = { name: pair.value, line: index };
      const owner = VALUE_FIELD.test(pair.key) && named && index - named.line <= NAME_REACH ? named.name : undefined;
      pairs.push(owner ? { ...pair, key: owner } : pair);
    }
    if (options.key !== undefined && lines.length === 1 && !/^\s*[[{]/.test(line)) {
      const value = line.trim();
      pairs.push({ key: options.key, value, start: line.indexOf(value) });
    }
    for (const hit of detectLine(line, pairs)) {
      const absolute = { ...hit, start: hit.start + start, end: hit.end + start };
      if (!blocks.some((b) => absolute.start < b.end && b.start < absolute.end)) found.push(absolute);
    }
  });
  return found.map(locate).sort((a, b) => a.start - b.start);
}

interface Line {
  readonly start: number;
  readonly text: string;
}

/** Lines end at LF or CRLF, as SARIF's default `newlineSequences` say. */
function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (let at = text.indexOf("\n"); ; at = text.indexOf("\n", start)) {
    const end = at === -1 ? text.length : at;
    lines.push({ start, text: text.slice(start, end > start && text[end - 1] === "\r" ? end - 1 : end) });
    if (at === -1) return lines;
    start = at + 1;
  }
}

/** 1-based line and column (UTF-16 code units) of an offset. */
function position(lines: readonly Line[], offset: number): { line: number; column: number } {
  let low = 0;
  let high = lines.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((lines[mid]?.start ?? 0) <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low + 1, column: offset - (lines[low]?.start ?? 0) + 1 };
}
