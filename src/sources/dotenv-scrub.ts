import dotenv from "dotenv";
import { type Assignment, scanDotenv } from "./dotenv-scan.js";

export type FileScrubMode = "reference" | "remove";

/** A migrated line, as the plan saw it: the line of the key's last assignment (the one dotenv keeps). */
export interface MigratedLine {
  readonly line: number;
  readonly value: string;
  /** What the value becomes (`${secret:…}`); unused by `remove`. */
  readonly reference: string;
}

export interface ScrubbedText {
  readonly text: string;
  readonly keys: string[];
  /** Keys left as they are, with why (changed since read, no spelling for the reference). */
  readonly skipped: { key: string; why: string }[];
}

/**
 * Only the migrated values (or lines) change; every other byte (comments, order, quoting, CRLF, BOM,
 * final newline) is kept. Every assignment of a key is edited, so no stale plaintext stays behind an
 * earlier duplicate. The result is checked with dotenv.parse before anyone writes it.
 */
export function scrubDotenvText(text: string, migrated: readonly MigratedLine[], mode: FileScrubMode): ScrubbedText {
  const parsed = dotenv.parse(text);
  const { assignments } = scanDotenv(text);
  const edits: { from: number; to: number; by: string }[] = [];
  const references = new Map<string, string>();
  const skipped: { key: string; why: string }[] = [];
  const starts = lineStarts(text);
  for (const m of migrated) {
    const last = assignments.find((a) => a.line === m.line);
    if (!last) continue;
    const key = last.key;
    if (parsed[key] !== m.value) {
      skipped.push({ key, why: "changed since it was read" });
      continue;
    }
    const spelled = mode === "reference" ? spell(m.reference) : "";
    if (spelled === undefined) {
      skipped.push({ key, why: "dotenv has no spelling for its reference" });
      continue;
    }
    references.set(key, m.reference);
    for (const a of assignments.filter((x) => x.key === key))
      edits.push(mode === "reference" ? { from: a.start, to: a.end, by: spelled } : { ...lineSpan(a, starts, text), by: "" });
  }
  let out = text;
  for (const e of merged(edits).reverse()) out = out.slice(0, e.from) + e.by + out.slice(e.to);
  // Lines removed at the end of a file that had no final newline leave none either.
  if (!/[\r\n]$/.test(text) && /[\r\n]$/.test(out)) out = out.replace(/(\r\n|\r|\n)$/, "");
  check(parsed, dotenv.parse(out), references, mode);
  return { text: out, keys: [...references.keys()], skipped };
}

/** Bare where dotenv reads it back unchanged, else single-quoted. */
function spell(reference: string): string | undefined {
  if (!/^\$\{secret:[^{}\r\n]+\}$/.test(reference)) return undefined;
  return [reference, `'${reference}'`].find((s) => dotenv.parse(`K=${s}`).K === reference);
}

/** The key's lines with their line endings. */
function lineSpan(a: Assignment, starts: readonly number[], text: string): { from: number; to: number } {
  return { from: starts[a.line - 1] ?? 0, to: starts[a.lastLine] ?? text.length };
}

/** In order, overlapping spans joined (removed lines may share an ending). */
function merged(edits: { from: number; to: number; by: string }[]): { from: number; to: number; by: string }[] {
  const out: { from: number; to: number; by: string }[] = [];
  for (const e of [...edits].sort((a, b) => a.from - b.from)) {
    const last = out[out.length - 1];
    if (last && e.from < last.to) out[out.length - 1] = { from: last.from, to: Math.max(last.to, e.to), by: last.by + e.by };
    else out.push(e);
  }
  return out;
}

/** Offsets where each line starts; LF, CRLF and a lone CR each end a line, as the scanner counts them. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (const m of text.matchAll(/\r\n|\r|\n/g)) starts.push(m.index + m[0].length);
  return starts;
}

function check(before: Record<string, string>, after: Record<string, string>, references: ReadonlyMap<string, string>, mode: FileScrubMode) {
  const want: Record<string, string> = { ...before };
  for (const [key, reference] of references) {
    if (mode === "remove") delete want[key];
    else want[key] = reference;
  }
  const same = Object.keys(want).length === Object.keys(after).length && Object.entries(want).every(([k, v]) => after[k] === v);
  if (!same) throw new Error("scrub would change a line it did not mean to; the file was left alone");
}
