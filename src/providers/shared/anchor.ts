import type { AnchorRecord, AnchorStore, NameCheck, SecretStore } from "../types.js";

/** No secret may take its name. */
export const ANCHOR_ENTRY = "secretshift";

/** String metadata on the provider's `secretshift` entry (tags, custom_metadata, annotations). */
export interface AnchorBag {
  readonly where: string;
  /** The provider's limit on tags or metadata keys, with room to spare. */
  readonly capacity: number;
  read(): Promise<Map<string, string>>;
  /** Creates the entry when missing; always called right after `read`. */
  write(key: string, value: string, drop: readonly string[]): Promise<void>;
}

/**
 * One key per journal holding `<seq>:<mac>:<run id>`, never a value. Near the provider's limit the
 * journals whose last run is oldest make room (state folders of finished CI jobs, mostly).
 */
export function bagAnchor(bag: AnchorBag, prefix: string): AnchorStore {
  return {
    // A getter: Vault knows its mount's paths only once connected.
    get where() {
      return bag.where;
    },
    async read(journalId) {
      const text = (await bag.read()).get(`${prefix}${journalId}`);
      const [seq, mac, runId] = text?.split(":") ?? [];
      if (!seq || !mac || !runId || !/^\d+$/.test(seq)) return undefined;
      return { journalId, seq: Number(seq), mac, runId };
    },
    async others(journalId) {
      return [...(await bag.read()).keys()].filter((k) => k.startsWith(prefix) && k !== `${prefix}${journalId}`).length;
    },
    async write(record: AnchorRecord) {
      const key = `${prefix}${record.journalId}`;
      const others = [...(await bag.read())].filter(([k]) => k.startsWith(prefix) && k !== key);
      // Run ids start with their UTC start time, so the oldest sort first.
      others.sort(([, a], [, b]) => (runOf(a) < runOf(b) ? -1 : 1));
      const drop = others.slice(0, Math.max(0, others.length - (bag.capacity - 1))).map(([k]) => k);
      await bag.write(key, `${record.seq}:${record.mac}:${record.runId}`, drop);
    },
  };
}

const runOf = (value: string) => value.split(":")[2] ?? "";

export function reserveAnchorEntry(store: SecretStore): SecretStore {
  const checkName = store.checkName.bind(store);
  const list = store.list.bind(store);
  store.checkName = (name: string): NameCheck => {
    const check = checkName(name);
    return check.stored === ANCHOR_ENTRY ? { ...check, invalid: `"${ANCHOR_ENTRY}" is reserved for secretshift's journal anchor in this provider` } : check;
  };
  store.list = async (prefix: string) => (await list(prefix)).filter((n) => n !== ANCHOR_ENTRY);
  return store;
}
