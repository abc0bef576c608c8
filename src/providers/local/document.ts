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

/** The format before the paged store: one document, read only to be rewritten. */
export interface LocalDocument {
  format: "secretshift-store/1";
  secrets: Record<string, LocalSecret>;
}
