import { usageError } from "../../core/errors.js";
import type { ReadHandle } from "../../core/read-handle.js";
import { openStore, type SealedFile } from "../../core/store-seal.js";
import type { LocalDocument, LocalSecret } from "./document.js";

/** A patch names each changed secret with its whole new entry, or null when it is gone. */
type Patch = Record<string, LocalSecret | null>;

/**
 * A store written before the paged format (one snapshot document, then patches): read whole, as it
 * always was, and rewritten as lines by the first save.
 */
export async function readLegacy(handle: ReadHandle, key: Buffer, path: string): Promise<{ seal: SealedFile; secrets: Map<string, LocalSecret> }> {
  const opened = openStore(key, await handle.readFile(), path);
  try {
    const doc = JSON.parse(opened.document) as LocalDocument;
    if (doc.format !== "secretshift-store/1" || typeof doc.secrets !== "object" || doc.secrets === null) throw new Error("format");
    // A Map, so `constructor` or `__proto__` finds a secret or nothing.
    const secrets = new Map(Object.entries(doc.secrets));
    for (const patch of opened.patches) {
      for (const [name, secret] of Object.entries(JSON.parse(patch) as Patch)) {
        if (secret === null) secrets.delete(name);
        else secrets.set(name, secret);
      }
    }
    return { seal: opened.seal, secrets };
  } catch {
    throw storeCorrupt(path);
  }
}

export const storeCorrupt = (path: string) =>
  usageError("STORE_CORRUPT", `${path} is not a secretshift store`, "restore it from a copy, or point --store at another file");
