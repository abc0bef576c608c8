import type { Deps } from "../core/deps.js";
import { usageError } from "../core/errors.js";
import { FileSource, type FileSourceOptions } from "./file-source.js";
import type { SecretSource } from "./types.js";

export type { FileSourceOptions } from "./file-source.js";

export interface SourceOptions {
  readonly from?: readonly string[];
  readonly expand?: boolean;
  readonly strict?: boolean;
  readonly db?: string;
  readonly table?: string;
  readonly columns?: string;
  readonly key?: string;
  readonly where?: string;
  /** Another vault as the source (`--from-provider`), read only. */
  readonly fromProvider?: string;
  readonly fromPrefix?: string;
  readonly fromProviderOption?: readonly string[];
  readonly stateDir?: string;
  /** Also read each secret's previous value from the source vault. */
  readonly withPrevious?: boolean;
}

/** How source keys become secret names and which are kept: shared by every command that reads sources. */
export interface SelectionOptions {
  readonly prefix?: string;
  readonly nameTemplate?: string;
  readonly env?: string;
  readonly only?: readonly string[];
  readonly exclude?: readonly string[];
}

/** The sources a command reads, in the order given: another vault, database columns, then files (default `.env`). */
export async function openSources(deps: Deps, options: SourceOptions): Promise<SecretSource[]> {
  const files = options.from ?? [];
  const sources: SecretSource[] = [];
  if (options.fromProvider !== undefined) {
    const { openProviderSource } = await import("./open-provider-source.js");
    sources.push(await openProviderSource(deps, { ...options, fromProvider: options.fromProvider }));
  } else if (options.fromPrefix !== undefined || options.withPrevious) {
    const flag = options.fromPrefix !== undefined ? "--from-prefix" : "--with-previous";
    throw usageError("NEEDS_FROM_PROVIDER", `${flag} needs --from-provider`, "e.g. --from-provider vault --from-prefix app/");
  }
  try {
    if (options.db !== undefined) sources.push(await openDatabase(options));
  } catch (error) {
    await closeSources(sources);
    throw error;
  }
  const paths = files.length === 0 && sources.length === 0 ? [".env"] : files;
  sources.push(...createFileSources([...paths], { cwd: deps.cwd, expand: options.expand, strict: options.strict, env: deps.env }));
  return sources;
}

async function openDatabase(options: SourceOptions): Promise<SecretSource> {
  if (!options.table || !options.columns) {
    throw usageError("DB_OPTIONS", "--db needs --table and --columns", "e.g. --db postgres://… --table businesses --columns stripe_key,gemini_api_key");
  }
  const { createDatabaseSource } = await import("./database.js");
  return createDatabaseSource({
    url: options.db as string,
    table: options.table,
    columns: options.columns
      .split(",")
      .map((c) => c.trim())
      .filter(Boolean),
    ...(options.key ? { key: options.key } : {}),
    ...(options.where ? { where: options.where } : {}),
  });
}

export async function closeSources(sources: readonly SecretSource[]): Promise<void> {
  await Promise.all(sources.map((s) => s.close()));
}

export function createFileSources(paths: readonly string[], options: FileSourceOptions): SecretSource[] {
  return paths.map((path) => new FileSource(path, options));
}
