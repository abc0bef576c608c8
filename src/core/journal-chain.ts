import { join } from "node:path";
import { readNoFollow } from "./atomic-file.js";
import { hmac, type MacKey, sameMac } from "./crypto.js";

export type JournalEventType = "run-start" | "intent" | "done" | "failed" | "run-end" | "note" | "store";

/** There is deliberately no field that could hold a secret value. */
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
  /** GENESIS for the first line, so lines cannot be dropped or reordered. */
  prev: string;
  mac?: string;
}

export type JournalEvent = Omit<JournalEntry, "seq" | "ts" | "prev" | "mac">;

export const GENESIS = "0".repeat(64);
export const journalPath = (stateDir: string) => join(stateDir, "journal.jsonl");
export const headPath = (stateDir: string) => join(stateDir, "journal.head");

const MAC_TAIL = /,"mac":"([0-9a-f]{64})"\}$/;

/** `"mac"` goes last, over the text without it; the domain prefix keeps a line MAC from passing as a head MAC. */
export function signLine(journalKey: MacKey, body: string): string {
  return `${body.slice(0, -1)},"mac":"${hmac(journalKey, `line\n${body}`)}"}`;
}

export const claimedMac = (line: string): string | undefined => MAC_TAIL.exec(line)?.[1];

export function lineVerifies(journalKey: MacKey, line: string): boolean {
  const match = MAC_TAIL.exec(line);
  if (!match?.[1]) return false;
  const body = `${line.slice(0, match.index)}}`;
  return sameMac(match[1], hmac(journalKey, `line\n${body}`));
}

/** Written before lines were authenticated. */
export const isUnkeyedJournal = (lines: readonly string[]): boolean =>
  lines.length > 0 && claimedMac(lines[0] ?? "") === undefined && parseEntry(lines[0] ?? "") !== undefined;

/** Its first line's MAC: provider anchors are kept per journal. */
export const journalIdOf = (lines: readonly string[]): string | undefined => claimedMac(lines[0] ?? "")?.slice(0, 16);

/** The MAC is not checked here. */
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
  return (await readNoFollow(path))?.toString("utf8") ?? "";
}

/** An unterminated last line is kept: verify should see crash debris. */
export function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}
