import type { Stats } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import dotenv from "dotenv";
import { CliError, ExitCode } from "../core/errors.js";
import { HashedCounts } from "../core/hashed-counts.js";
import { settleHeap } from "../core/heap-governor.js";
import { type PieceProblem, readDotenv } from "./dotenv.js";
import { dotenvPieces } from "./dotenv-pieces.js";
import { repeated } from "./dotenv-warnings.js";
import { lineOf } from "./origin.js";
import { strictRefusal } from "./refusals.js";
import type { SourceBatch, SourceEntry, SourceWarning } from "./types.js";

/** A key met in more than one piece, until its last: the lines it is set on so far, and its entry then. */
interface Spread {
  lines: number[];
  entry: SourceEntry;
}

/**
 * A .env file too large to parse whole within the memory goal, read in pieces dotenv reads as it
 * reads the whole (dotenv-pieces.ts), twice. The first pass counts, per key (by a 64-bit hash), the
 * pieces that set it. The second hands on each key from the last piece that sets it, with that piece's
 * value: the one dotenv gives. So a key comes once, from its last assignment, as dotenv decides; keys
 * set in one piece only (nearly all) are never held past it. Two keys sharing a hash share a count,
 * which only makes one of them wait until the end. Warnings are those of the whole file; a key set in
 * several pieces has its "set again" warnings given with its last piece.
 */
export async function* streamDotenv(
  handle: FileHandle,
  /** As the file was when opened: the second pass ends by checking its size and time again. */
  before: Stats,
  label: string,
  options: { readonly strict?: boolean | undefined; readonly slice: number; readonly pieceSize?: number | undefined },
): AsyncGenerator<SourceBatch> {
  const counts = new HashedCounts();
  // The heap is settled per piece in both passes: the first makes no batch that would settle it, and
  // Node 24's young generation, left to grow through it, stays at 128 MiB for the rest of the run.
  for await (const piece of dotenvPieces(handle, label, options.pieceSize)) {
    for (const key of Object.keys(dotenv.parse(piece.text))) counts.add(key);
    await settleHeap();
  }

  const spread = new Map<string, Spread>();
  const dropped = new Set<string>();
  const out: SourceEntry[] = [];
  let warnings: SourceWarning[] = [];
  let first = true;
  const batch = (entries: SourceEntry[]): SourceBatch => {
    const b: SourceBatch = first ? { entries, warnings, expected: counts.size } : { entries, warnings };
    first = false;
    warnings = [];
    return b;
  };

  for await (const piece of dotenvPieces(handle, label, options.pieceSize)) {
    const { entries, problems, scan } = readDotenv(piece.text, label, { firstLine: piece.firstLine });
    const found: PieceProblem[] = [];
    let linesOf: Map<string, number[]> | undefined;
    // Keys this piece does not hold alone: their "set again" warnings are judged across pieces.
    const across = new Set<string>();
    for (const e of entries) {
      const left = counts.take(e.key);
      if (left < 0) throw changed(label);
      const held = spread.get(e.key);
      if (left === 0 && held === undefined) {
        out.push(e);
        continue;
      }
      across.add(e.key);
      linesOf ??= assignedLines(scan.assignments);
      const lines = [...(held?.lines ?? []), ...(linesOf.get(e.key) ?? [])];
      if (left > 0) spread.set(e.key, { lines, entry: e });
      else {
        spread.delete(e.key);
        found.push(...repeats(e.key, lines, e.value));
        out.push(e);
      }
    }
    for (const p of problems) {
      const kept = p.across === undefined || (p.across.kind === "repeat" ? !across.has(p.across.key) : !dropped.has(p.across.key));
      if (p.across?.kind === "dropped") dropped.add(p.across.key);
      if (kept) found.push(p);
    }
    report(found);
    await settleHeap();
    while (out.length >= options.slice) yield batch(out.splice(0, options.slice));
  }
  // Keys whose count another key's shared hash raised, or that were set more than a count holds.
  for (const [key, { lines, entry }] of spread) {
    report(repeats(key, lines, entry.value));
    out.push(entry);
  }
  const after = await handle.stat();
  if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) throw changed(label);
  if (out.length > 0 || first) yield batch(out);

  /** Onto the next batch, in line order; with `--strict` the first refuses the file. */
  function report(found: PieceProblem[]): void {
    found.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    for (const p of found) warnings.push({ source: label, ...lineOf(p), message: p.message });
    const problem = warnings[0];
    if (options.strict && problem) throw strictRefusal(problem);
  }
}

function assignedLines(assignments: readonly { key: string; line: number }[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const a of assignments) {
    const lines = out.get(a.key);
    if (lines) lines.push(a.line);
    else out.set(a.key, [a.line]);
  }
  return out;
}

const repeats = (key: string, lines: readonly number[], value: string) => lines.slice(1).map((line, i) => repeated(key, lines[i] as number, line, value));

const changed = (label: string) =>
  new CliError("SOURCE_CHANGED", `${label}: changed while it was being read`, {
    exitCode: ExitCode.failed,
    hint: "run the command again once nothing writes to the file",
  });
