import { readSmallNoFollow, writeFileAtomic } from "./atomic-file.js";
import { hmac, type MacKey, sameMac } from "./crypto.js";
import { GENESIS, headPath, type JournalEntry } from "./journal-chain.js";

const FORMAT = "secretshift-journal-head/2";

export interface StoreRecord {
  generation: number;
  /** So a deleted store can be noticed. */
  path: string;
}

/** Line count, last MAC and each store's generation, authenticated like a line so it cannot be rewritten to match a truncation. */
export interface JournalHead {
  seq: number;
  last: string;
  stores: Record<string, StoreRecord>;
  /** The journal's length just after line `seq`, so opening it reads that line, not every line before it. */
  bytes?: number;
}

export const emptyHead = (): JournalHead => ({ seq: 0, last: GENESIS, stores: {} });

export type HeadRead = { status: "missing" } | { status: "ok"; head: JournalHead } | { status: "unkeyed" } | { status: "forged" };

export async function readHead(stateDir: string, journalKey: MacKey): Promise<HeadRead> {
  const text = (readSmallNoFollow(headPath(stateDir))?.toString("utf8") ?? "").trim();
  if (text === "") return { status: "missing" };
  let v: Partial<JournalHead & { format: string; mac: string; hash: string }>;
  try {
    v = JSON.parse(text);
  } catch {
    return { status: "forged" };
  }
  if (v.format === undefined && typeof v.hash === "string") return { status: "unkeyed" };
  const match = /,"mac":"([0-9a-f]{64})"\}$/.exec(text);
  if (v.format !== FORMAT || !match?.[1] || !sameMac(match[1], headMac(journalKey, `${text.slice(0, match.index)}}`))) return { status: "forged" };
  if (typeof v.seq !== "number" || typeof v.last !== "string" || typeof v.stores !== "object" || v.stores === null) return { status: "forged" };
  const bytes = Number.isSafeInteger(v.bytes) ? { bytes: v.bytes as number } : {};
  return { status: "ok", head: { seq: v.seq, last: v.last, stores: v.stores, ...bytes } };
}

export async function writeHead(stateDir: string, journalKey: MacKey, head: JournalHead): Promise<void> {
  const body = JSON.stringify({ format: FORMAT, seq: head.seq, last: head.last, stores: head.stores, bytes: head.bytes });
  await writeFileAtomic(headPath(stateDir), `${body.slice(0, -1)},"mac":"${headMac(journalKey, body)}"}\n`);
}

const headMac = (journalKey: MacKey, body: string) => hmac(journalKey, `head\n${body}`);

/** A generation never goes backwards. */
export function noteStore(stores: JournalHead["stores"], event: Pick<JournalEntry, "type" | "data">): void {
  const { store, generation, path } = event.data ?? {};
  if (event.type !== "store" || typeof store !== "string" || typeof generation !== "number" || typeof path !== "string") return;
  if (generation >= (stores[store]?.generation ?? 0)) stores[store] = { generation, path };
}
