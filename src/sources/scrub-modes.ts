import { usageError } from "../core/errors.js";
import { DEFAULT_PROVIDER, type ProviderName } from "../providers/index.js";
import { referenceText } from "../references/syntax.js";
import type { ScrubMode } from "./column-scrub.js";
import type { FileScrubMode } from "./dotenv-scrub.js";
import { FileSource } from "./file-source.js";
import type { SecretSource } from "./types.js";

export type AnyScrubMode = ScrubMode | FileScrubMode;

/**
 * One `--scrub` for both kinds of source: `null` is for columns, `remove` for file entries (`.env`,
 * YAML, JSON), and `reference` for both.
 */
export function splitScrub(mode: AnyScrubMode, sources: readonly SecretSource[]): { columns: ScrubMode; files: FileScrubMode | undefined } {
  if (mode === "none" || mode === "null") return { columns: mode, files: undefined };
  const files = sources.filter((s): s is FileSource => s instanceof FileSource);
  const db = files.length < sources.length;
  if (mode === "remove" && db) throw usageError("BAD_OPTION", "--scrub remove deletes file entries; database cells are scrubbed with null or reference");
  return { columns: mode === "reference" && db ? "reference" : "none", files: files.length > 0 ? mode : undefined };
}

/**
 * Unqualified where `run` would look without being told (the default provider, or SECRETS_PROVIDER
 * as it is now); elsewhere the reference names its provider, so the file resolves the same anywhere.
 */
export function referenceFor(provider: ProviderName, env: Readonly<Record<string, string | undefined>>): (name: string) => string {
  const implied = provider === DEFAULT_PROVIDER ? !env.SECRETS_PROVIDER || env.SECRETS_PROVIDER === provider : env.SECRETS_PROVIDER === provider;
  return (name) => referenceText(implied && !name.includes(":") ? undefined : provider, name);
}
