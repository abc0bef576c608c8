import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "../core/atomic-file.js";
import { usageError } from "../core/errors.js";

export type LocalLabel = "current" | "previous" | "pending";

export interface LocalVersion {
  /** AES-256-GCM sealed value; AAD binds it to `store:<name>:<version>`. */
  sealed: string;
  createdAt: string;
  runId?: string;
  /** Which versions held `current`/`previous` before this one was written, so a revert is exact. */
  replaced?: Partial<Record<LocalLabel, string>>;
  /** The version this write pushed out of `previous` (dropped from the list, kept here for revert). */
  evicted?: { version: string; entry: LocalVersion };
}

export interface LocalSecret {
  nextVersion: number;
  labels: Partial<Record<LocalLabel, string>>;
  versions: Record<string, LocalVersion>;
  /** Rotation bookkeeping (grace end), never a value. */
  meta?: Record<string, string>;
}

export interface LocalDocument {
  format: "secretshift-store/1";
  secrets: Record<string, LocalSecret>;
}

export const emptyDocument = (): LocalDocument => ({ format: "secretshift-store/1", secrets: Object.create(null) });

/**
 * `secrets` is indexed by secret names, and a name can be anything a provider allows: `constructor`
 * or `__proto__` must find a secret (or nothing), never a property every object has. So the index
 * has no prototype, also after JSON.parse or structuredClone (which both give it one back).
 */
export function withBareIndex(doc: LocalDocument): LocalDocument {
  doc.secrets = Object.assign(Object.create(null), doc.secrets);
  return doc;
}

export async function loadDocument(path: string): Promise<LocalDocument> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return emptyDocument();
    throw error;
  }
  try {
    const doc = JSON.parse(text) as LocalDocument;
    if (doc.format !== "secretshift-store/1" || typeof doc.secrets !== "object" || doc.secrets === null) throw new Error("format");
    return withBareIndex(doc);
  } catch {
    throw usageError("STORE_CORRUPT", `${path} is not a secretshift store`, "restore it from a copy, or point --store at another file");
  }
}

export async function saveDocument(path: string, doc: LocalDocument): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(doc), 0o600);
}
