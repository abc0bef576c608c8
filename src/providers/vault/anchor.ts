import { ANCHOR_ENTRY, type AnchorBag, bagAnchor } from "../shared/anchor.js";
import type { AnchorStore } from "../types.js";
import { isHttpError } from "./errors.js";
import type { KvClient } from "./kv.js";

const PREFIX = "journal:";

/** KV v2: custom_metadata of a key `secretshift` without any version (64 keys allowed); KV v1: the fields of that entry. */
export function vaultAnchor(kv: () => KvClient): AnchorStore {
  const bag: AnchorBag = {
    get where() {
      const c = kv();
      return c.version === 2 ? `Vault ${c.metadataPath(ANCHOR_ENTRY)} (custom_metadata)` : `Vault ${c.dataPath(ANCHOR_ENTRY)}`;
    },
    capacity: 48,
    async read() {
      const c = kv();
      const fields = c.version === 2 ? (await c.readMeta(ANCHOR_ENTRY))?.custom : (await c.readLatest(ANCHOR_ENTRY))?.data;
      return new Map(Object.entries(fields ?? {}).map(([k, v]) => [k, String(v)]));
    },
    async write(key, value, drop) {
      const c = kv();
      if (c.version === 1) {
        const fields: Record<string, unknown> = { ...(await c.readLatest(ANCHOR_ENTRY))?.data };
        for (const k of drop) delete fields[k];
        await c.write(ANCHOR_ENTRY, { ...fields, [key]: value }, "update");
        return;
      }
      const patch = { custom_metadata: { [key]: value, ...Object.fromEntries(drop.map((k) => [k, null])) } };
      try {
        await c.patchMeta(ANCHOR_ENTRY, patch);
      } catch (e) {
        if (!isHttpError(e, 404)) throw e;
        await c.writeMeta(ANCHOR_ENTRY, { custom_metadata: { [key]: value } });
      }
    },
  };
  return bagAnchor(bag, PREFIX);
}
