import { readdir } from "node:fs/promises";
import { openNoFollow, readNoFollow } from "./atomic-file.js";
import { backupsDir } from "./backup.js";
import { type MacKey, subkey } from "./crypto.js";
import { isCliError } from "./errors.js";
import { unkeyedJournalError } from "./journal.js";
import { claimedMac, GENESIS, isUnkeyedJournal, journalIdOf, journalPath, lineVerifies, parseEntry } from "./journal-chain.js";
import { type JournalHead, readHead } from "./journal-head.js";
import { eachJournalLine, journalFirstLine } from "./journal-scan.js";
import { sealOfStore } from "./store-log.js";
import { storeFormatOf } from "./store-seal.js";

export interface StoreState {
  readonly path: string;
  readonly generation: number;
  readonly recorded: number;
}

export type VerifyResult = { ok: true; lines: number; journalId?: string; store?: StoreState } | { ok: false; line?: number; reason: string };

/**
 * MACs, seq, chain and head, then the folder around them (a store without a journal, an older store).
 * The journal is streamed: after a million-secret run it is larger than one string can hold.
 */
export async function verifyJournal(stateDir: string, dataKey: Buffer, storePath: string): Promise<VerifyResult> {
  const key = subkey(dataKey, "journal");
  const path = journalPath(stateDir);
  const first = await journalFirstLine(path);
  const head = await readHead(stateDir, key);
  if (isUnkeyedJournal(first === undefined ? [] : [first]) || head.status === "unkeyed") {
    // 0.1 never sealed a store: a sealed one beside an unkeyed journal means the journal was swapped for an old-format forgery.
    if (storeFormatOf((await readNoFollow(storePath))?.toString("utf8") ?? "") === "sealed")
      return { ok: false, reason: `journal.jsonl is in the unkeyed 0.1 format, but ${storePath} is sealed: the journal was replaced` };
    throw unkeyedJournalError(stateDir);
  }
  const chain = new ChainCheck(key, head.status === "ok" ? head.head.seq : 0);
  await eachJournalLine(path, (line) => chain.add(line));
  if (chain.failure) return chain.failure;
  const n = chain.lines;
  if (head.status === "forged") return { ok: false, reason: "journal.head does not verify: it was edited or replaced by someone without the key" };
  if (head.status === "missing") {
    if (n > 0) return { ok: false, line: n + 1, reason: "journal.head is missing, so deleted trailing lines would go unnoticed" };
    const activity = await activityWithoutJournal(stateDir, storePath);
    if (activity) return { ok: false, reason: `journal.jsonl and journal.head are missing, but ${activity}: the journal was deleted` };
  } else {
    const problem = headProblem(n, chain.atHead, head.head);
    if (problem) return problem;
  }
  const store = await storeProblem(dataKey, storePath, head.status === "ok" ? head.head : undefined);
  if (typeof store === "string") return { ok: false, reason: store };
  const journalId = journalIdOf(first === undefined ? [] : [first]);
  return { ok: true, lines: n, ...(journalId ? { journalId } : {}), ...(store ? { store } : {}) };
}

/** An edit fails its line, a removal or move fails the next one. */
export function verifyChain(lines: readonly string[], journalKey: MacKey): VerifyResult {
  const chain = new ChainCheck(journalKey, 0);
  for (const line of lines) chain.add(line);
  return chain.failure ?? { ok: true, lines: chain.lines };
}

/** The chain checked a line at a time; the first failure is kept, and the MAC the line at `headSeq` claims. */
class ChainCheck {
  lines = 0;
  failure: (VerifyResult & { ok: false }) | undefined;
  atHead: string | undefined;
  private prev = GENESIS;

  constructor(
    private readonly key: MacKey,
    private readonly headSeq: number,
  ) {}

  add(line: string): void {
    const no = ++this.lines;
    if (no === this.headSeq) this.atHead = claimedMac(line);
    if (this.failure) return;
    const reason = this.problem(line, no);
    if (reason) this.failure = { ok: false, line: no, reason: `line ${no} ${reason}` };
    else this.prev = claimedMac(line) ?? this.prev;
  }

  private problem(line: string, no: number): string | undefined {
    const entry = parseEntry(line);
    if (entry === undefined) return "is not a valid journal entry (edited or partly written)";
    if (!lineVerifies(this.key, line)) return "does not verify: it was edited, or written by someone without the key";
    if (entry.seq !== no) return `has seq ${entry.seq}: lines before it were removed, inserted or reordered`;
    if (entry.prev !== this.prev) return `does not chain to line ${no - 1}: lines between them were removed, or it was moved`;
    return undefined;
  }
}

function headProblem(n: number, atHead: string | undefined, head: JournalHead): VerifyResult | undefined {
  if (head.seq > n)
    return { ok: false, line: n + 1, reason: `the journal ends at line ${n} but journal.head records ${head.seq}: trailing lines were deleted` };
  if (head.seq > 0 && atHead !== head.last) {
    return { ok: false, line: head.seq, reason: `line ${head.seq} is not the line journal.head records: the journal was replaced` };
  }
  return undefined;
}

async function activityWithoutJournal(stateDir: string, storePath: string): Promise<string | undefined> {
  const backups = (await readdir(backupsDir(stateDir)).catch(() => [] as string[])).filter((n) => n.endsWith(".enc"));
  const store = await openNoFollow(storePath).then(async (handle) => {
    await handle?.close();
    return handle !== undefined;
  });
  const seen = [...(store ? [`${storePath} exists`] : []), ...(backups.length ? [`${backups.length} backup(s) exist`] : [])];
  return seen.length ? seen.join(" and ") : undefined;
}

async function storeProblem(dataKey: Buffer, path: string, head: JournalHead | undefined): Promise<StoreState | string | undefined> {
  const records = Object.values(head?.stores ?? {});
  try {
    const seal = await sealOfStore(dataKey, path);
    if (seal === undefined) {
      const lost = records.find((r) => r.path === path);
      return lost ? `${path} is missing, but the journal recorded generation ${lost.generation} of it` : undefined;
    }
    const recorded = head?.stores[seal.id]?.generation ?? 0;
    if (seal.generation < recorded)
      return `${path} is generation ${seal.generation}, but the journal recorded generation ${recorded}: an older copy was put back`;
    return { path, generation: seal.generation, recorded };
  } catch (e) {
    if (isCliError(e)) return e.message;
    throw e;
  }
}
