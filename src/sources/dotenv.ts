import { expandValue } from "./dotenv-expand.js";
import { scanDotenv } from "./dotenv-scan.js";
import type { SourceEntry, SourceWarning } from "./types.js";

export { formatDotenv } from "./dotenv-format.js";

export interface DotenvOptions {
  /** Substitute `$VAR` / `${VAR}` like dotenv-expand. Off by default: values are taken byte for byte. */
  readonly expand?: boolean;
  /** Consulted after the file's own earlier keys when expanding (usually `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Reads dotenv text without ever throwing: lines we cannot read become warnings with their line
 * number, so a caller can decide (`--strict`) whether a half-readable file is acceptable.
 */
export function parseDotenv(text: string, file: string, options: DotenvOptions = {}): { entries: SourceEntry[]; warnings: SourceWarning[] } {
  const { assignments, problems } = scanDotenv(text);
  const warnings: SourceWarning[] = problems.map((problem) => ({ source: file, ...problem }));
  const byKey = new Map<string, SourceEntry>();
  const env = options.env ?? {};
  const lookup = (name: string): string | undefined => byKey.get(name)?.value ?? (Object.hasOwn(env, name) ? env[name] : undefined);

  for (const { key, value: raw, line, quote } of assignments) {
    // Single quotes and our JSON form are literal even with expand, as in dotenvx.
    const literal = !options.expand || quote === "'" || quote === "json";
    const value = literal ? raw : expandValue(raw, lookup, (message) => warnings.push({ source: file, line, message: `${key}: ${message}` }));
    const earlier = byKey.get(key);
    if (earlier) {
      warnings.push({
        source: file,
        line,
        message: `${key} is set on line ${earlier.origin.line} and again on line ${line}; line ${line} wins`,
      });
    }
    byKey.set(key, { key, value, origin: { source: file, line } });
  }
  warnings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { entries: [...byKey.values()], warnings };
}
