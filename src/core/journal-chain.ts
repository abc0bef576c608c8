import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

export type JournalEventType = "run-start" | "intent" | "done" | "failed" | "run-end" | "note";

/** One line of `.secrets/journal.jsonl`. There is deliberately no field that could hold a secret value. */
export interface JournalEntry {
  seq: number;
  ts: string;
  runId: string;
  type: JournalEventType;
  command?: string;
  provider?: string;
  name?: string;
  action?: string;
  version?: string;
  error?: string;
  status?: string;
  data?: Record<string, string | number | boolean | null>;
  prev: string;
}

export type JournalEvent = Omit<JournalEntry, "seq" | "ts" | "prev">;

export const GENESIS = "0".repeat(64);
export const journalPath = (stateDir: string) => join(stateDir, "journal.jsonl");
export const headPath = (stateDir: string) => join(stateDir, "journal.head");
/** The chain hashes each line's exact text, without its newline. */
export const hashLine = (line: string) => createHash("sha256").update(line, "utf8").digest("hex");

export interface JournalHead {
  seq: number;
  hash: string;
}

export type VerifyResult = { ok: true; lines: number } | { ok: false; line: number; reason: string };

/**
 * Checks the hash chain, the seq numbering and the head file. Names the first bad line (1-based);
 * a deleted tail is reported as the first missing line. Lines past the head are accepted: they
 * are a crash between the journal fsync and the head write, and they still have to chain.
 */
export async function verifyJournal(stateDir: string): Promise<VerifyResult> {
  const lines = splitLines(await readOrEmpty(journalPath(stateDir)));
  const head = await readHead(stateDir);
  const n = lines.length;
  const bad = (line: number, reason: string): VerifyResult => ({ ok: false, line, reason });
  // Whether line i (0-based) is vouched for by what comes after it: the next line or the head.
  const confirmed = (i: number): boolean => {
    const hash = hashLine(lines[i] ?? "");
    const next = i + 1 < n ? parseEntry(lines[i + 1] ?? "") : undefined;
    if (next !== undefined) return next.prev === hash;
    return i === n - 1 && head?.seq === n && head.hash === hash;
  };
  let prev = GENESIS;
  for (let i = 0; i < n; i++) {
    const no = i + 1;
    const line = lines[i] ?? "";
    const entry = parseEntry(line);
    if (entry === undefined) return bad(no, `line ${no} is not a valid journal entry (edited or partly written)`);
    if (entry.seq !== no) {
      return bad(no, `line ${no} has seq ${entry.seq}: lines before it were removed, inserted or reordered`);
    }
    if (entry.prev !== prev) {
      // The mismatch shows up on the line after an edit; blame the earlier line if this one is intact.
      if (i > 0 && confirmed(i)) return bad(no - 1, `line ${no - 1} was modified: line ${no} does not chain to it`);
      return bad(no, `line ${no} does not chain to the line before it: it was modified or inserted`);
    }
    prev = hashLine(line);
  }
  if (head === undefined) {
    if (n === 0) return { ok: true, lines: 0 };
    return bad(n + 1, "journal.head is missing or unreadable, so deleted trailing lines would go unnoticed");
  }
  if (head.seq > n) {
    return bad(n + 1, `the journal ends at line ${n} but journal.head records ${head.seq}: trailing lines were deleted`);
  }
  if (head.seq > 0 && hashLine(lines[head.seq - 1] ?? "") !== head.hash) {
    return bad(head.seq, `line ${head.seq} does not match journal.head: it was modified`);
  }
  return { ok: true, lines: n };
}

/** Parses one line, or undefined when it is not shaped like an entry. */
export function parseEntry(line: string): JournalEntry | undefined {
  try {
    const v = JSON.parse(line) as Partial<JournalEntry> | null;
    if (v === null || typeof v !== "object") return undefined;
    if (typeof v.seq !== "number" || typeof v.prev !== "string" || typeof v.runId !== "string") return undefined;
    if (typeof v.type !== "string" || typeof v.ts !== "string") return undefined;
    return v as JournalEntry;
  } catch {
    return undefined;
  }
}

export async function readOrEmpty(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw e;
  }
}

export async function readHead(stateDir: string): Promise<JournalHead | undefined> {
  const text = await readOrEmpty(headPath(stateDir));
  if (text === "") return undefined;
  try {
    const v = JSON.parse(text) as Partial<JournalHead>;
    if (typeof v.seq === "number" && typeof v.hash === "string") return { seq: v.seq, hash: v.hash };
  } catch {
    // unreadable head: treated as absent, and `verify` reports it
  }
  return undefined;
}

/** Lines of the file, keeping an unterminated last line (verify should see crash debris). */
export function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}
