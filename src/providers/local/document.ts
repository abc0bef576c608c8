import { readNoFollow } from "../../core/atomic-file.js";
import { noKeyError } from "../../core/crypto.js";
import { usageError } from "../../core/errors.js";
import { appendSealed, openStore, type SealedFile, writeSealed } from "../../core/store-seal.js";

export type LocalLabel = "current" | "previous" | "pending";

export interface LocalVersion {
  /** AAD binds it to `store:<name>:<version>`. */
  sealed: string;
  /** Keyed digest of name and value, so an unchanged value is recognised without decrypting it. */
  digest?: string;
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
  // In place: JSON.parse made each name (`__proto__` too) an own property, so only the prototype must go.
  if (typeof doc.secrets === "object" && doc.secrets !== null) Object.setPrototypeOf(doc.secrets, null);
  return doc;
}

export interface LoadedDocument {
  readonly doc: LocalDocument;
  readonly seal: SealedFile | undefined;
}

/** A patch names each changed secret with its whole new entry, or null when it is gone. */
type Patch = Record<string, LocalSecret | null>;

/** A missing file is an empty store. */
export async function loadDocument(path: string, key: Buffer | undefined): Promise<LoadedDocument> {
  const opened = await openFile(path, key);
  if (opened === undefined) return { doc: emptyDocument(), seal: undefined };
  const { seal, patches } = opened;
  try {
    const doc = withBareIndex(JSON.parse(opened.document) as LocalDocument);
    // The text can go while the patches are applied: a large store is then held once, as objects.
    opened.document = "";
    if (doc.format !== "secretshift-store/1" || typeof doc.secrets !== "object" || doc.secrets === null) throw new Error("format");
    for (const patch of patches) applyPatch(doc, JSON.parse(patch) as Patch);
    return { doc, seal };
  } catch {
    throw usageError("STORE_CORRUPT", `${path} is not a secretshift store`, "restore it from a copy, or point --store at another file");
  }
}

/** The file's bytes are let go of once verified, before the snapshot is parsed. */
async function openFile(path: string, key: Buffer | undefined): Promise<ReturnType<typeof openStore> | undefined> {
  const bytes = await readNoFollow(path);
  if (bytes === undefined) return undefined;
  if (!key) throw noKeyError(`reading ${path} needs the encryption key`);
  return openStore(key, bytes, path);
}

function applyPatch(doc: LocalDocument, patch: Patch): void {
  for (const [name, secret] of Object.entries(patch)) {
    if (secret === null) delete doc.secrets[name];
    else doc.secrets[name] = secret;
  }
}

/** Below this much log a store is never rewritten: small stores just append. */
const MIN_COMPACT_BYTES = 4 * 1024 * 1024;

/**
 * Appends the changed secrets as one patch; rewrites the whole file only once the log outgrows the
 * snapshot, so the bytes written stay proportional to the bytes changed (at most ~3x, amortised).
 */
export function saveDocument(path: string, doc: LocalDocument, key: Buffer, previous: SealedFile | undefined, changed: Iterable<string>): Promise<SealedFile> {
  if (!previous?.appendable) return writeSealed(path, JSON.stringify(doc), key, previous);
  const patch: Patch = Object.create(null);
  for (const name of changed) patch[name] = doc.secrets[name] ?? null;
  const text = JSON.stringify(patch);
  const logBytes = previous.bytes - previous.snapshotBytes + Buffer.byteLength(text);
  if (logBytes > Math.max(previous.snapshotBytes, MIN_COMPACT_BYTES)) return writeSealed(path, JSON.stringify(doc), key, previous);
  return appendSealed(path, text, key, previous);
}
