import { writeFileAtomic } from "./atomic-file.js";
import { hmac, sameMac } from "./crypto.js";
import { GENESIS, headPath, type JournalEntry, readOrEmpty } from "./journal-chain.js";

const FORMAT = "secretshift-journal-head/2";

/** The last generation the journal recorded for one local store file (see src/providers/local-seal.ts). */
export interface StoreRecord {
  generation: number;
  /** The store file's absolute path when it was written, so a deleted store can be noticed. */
  path: string;
}

/**
 * `journal.head`: how many lines the journal has, the MAC of the last one, and the latest
 * generation of each local store it recorded. Authenticated like a line, so it cannot be rewritten
 * to match a truncated journal without the key.
 */
export interface JournalHead {
  seq: number;
  last: string;
  stores: Record<string, StoreRecord>;
}

export const emptyHead = (): JournalHead => ({ seq: 0, last: GENESIS, stores: {} });

export type HeadRead =
  | { status: "missing" }
  | { status: "ok"; head: JournalHead }
  /** Written before heads were authenticated (`{"seq","hash"}`): `secrets journal upgrade`. */
  | { status: "unkeyed" }
  | { status: "forged" };

export async function readHead(stateDir: string, journalKey: Buffer): Promise<HeadRead> {
  const text = (await readOrEmpty(headPath(stateDir))).trim();
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
  return { status: "ok", head: { seq: v.seq, last: v.last, stores: v.stores } };
}

export async function writeHead(stateDir: string, journalKey: Buffer, head: JournalHead): Promise<void> {
  const body = JSON.stringify({ format: FORMAT, seq: head.seq, last: head.last, stores: head.stores });
  await writeFileAtomic(headPath(stateDir), `${body.slice(0, -1)},"mac":"${headMac(journalKey, body)}"}\n`);
}

const headMac = (journalKey: Buffer, body: string) => hmac(journalKey, `head\n${body}`);

/** Folds a `store` line into the latest generation per store; a generation never goes backwards. */
export function noteStore(stores: JournalHead["stores"], event: Pick<JournalEntry, "type" | "data">): void {
  const { store, generation, path } = event.data ?? {};
  if (event.type !== "store" || typeof store !== "string" || typeof generation !== "number" || typeof path !== "string") return;
  if (generation >= (stores[store]?.generation ?? 0)) stores[store] = { generation, path };
}
