import { FileSource, type FileSourceOptions } from "./file-source.js";
import type { SecretSource } from "./types.js";

export type { FileSourceOptions } from "./file-source.js";

/**
 * The sources a command reads, in the order given. Files only for now; the database and
 * provider sources join here as their own explicit calls, not through a directory scan.
 */
export function createFileSources(paths: readonly string[], options: FileSourceOptions): SecretSource[] {
  return paths.map((path) => new FileSource(path, options));
}
