import { readNoFollow } from "../../core/atomic-file.js";
import { noKeyError } from "../../core/crypto.js";
import { usageError } from "../../core/errors.js";
import { openStore, type StoreSeal, writeSealed } from "../../core/store-seal.js";

export type LocalLabel = "current" | "previous" | "pending";

export interface LocalVersion {
  /** AAD binds it to `store:<name>:<version>`. */
  sealed: string;
  createdAt: string;
  runId?: string;
  /** Labels before this version was written, so a revert is exact. */
  replaced?: Partial<Record<LocalLabel, string>>;
  evicted?: { version: string; entry: LocalVersion };
}

export interface LocalSecret {
  nextVersion: number;
  labels: Partial<Record<LocalLabel, string>>;
  versions: Record<string, LocalVersion>;
  /** Grace end and notes, never a value. */
  meta?: Record<string, string>;
}

export interface LocalDocument {
  format: "secretshift-store/1";
  secrets: Record<string, LocalSecret>;
}

export const emptyDocument = (): LocalDocument => ({ format: "secretshift-store/1", secrets: Object.create(null) });

/** `constructor` or `__proto__` must find a secret or nothing: the index has no prototype, also after JSON.parse or structuredClone. */
export function withBareIndex(doc: LocalDocument): LocalDocument {
  doc.secrets = Object.assign(Object.create(null), doc.secrets);
  return doc;
}

export interface LoadedDocument {
  readonly doc: LocalDocument;
  readonly seal: StoreSeal | undefined;
}

/** A missing file is an empty store. */
export async function loadDocument(path: string, key: Buffer | undefined): Promise<LoadedDocument> {
  const bytes = await readNoFollow(path);
  if (bytes === undefined) return { doc: emptyDocument(), seal: undefined };
  if (!key) throw noKeyError(`reading ${path} needs the encryption key`);
  const { seal, document: text } = openStore(key, bytes.toString("utf8"), path);
  try {
    const doc = JSON.parse(text) as LocalDocument;
    if (doc.format !== "secretshift-store/1" || typeof doc.secrets !== "object" || doc.secrets === null) throw new Error("format");
    return { doc: withBareIndex(doc), seal };
  } catch {
    throw usageError("STORE_CORRUPT", `${path} is not a secretshift store`, "restore it from a copy, or point --store at another file");
  }
}

export const saveDocument = (path: string, doc: LocalDocument, key: Buffer, previous: StoreSeal | undefined): Promise<StoreSeal> =>
  writeSealed(path, JSON.stringify(doc), key, previous);
