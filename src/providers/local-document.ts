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

export const emptyDocument = (): LocalDocument => ({ format: "secretshift-store/1", secrets: {} });

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
    if (doc.format !== "secretshift-store/1" || typeof doc.secrets !== "object") throw new Error("format");
    return doc;
  } catch {
    throw usageError("STORE_CORRUPT", `${path} is not a secretshift store`, "restore it from a copy, or point --store at another file");
  }
}

export async function saveDocument(path: string, doc: LocalDocument): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(doc), 0o600);
}
