import { readFile } from "node:fs/promises";
import { extname, resolve } from "node:path";
import { CliError, usageError } from "../core/errors.js";
import { parseDotenv } from "./dotenv.js";
import { at } from "./origin.js";
import { parseStructured } from "./structured.js";
import type { SecretSource, SourceBatch } from "./types.js";

export interface FileSourceOptions {
  readonly cwd: string;
  readonly expand?: boolean;
  readonly strict?: boolean;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export type FileFormat = "dotenv" | "json" | "yaml";

export function formatOf(path: string): FileFormat {
  const extension = extname(path).toLowerCase();
  if (extension === ".json") return "json";
  if (extension === ".yaml" || extension === ".yml") return "yaml";
  return "dotenv";
}

/** As many entries as the database sources fetch at a time. */
const FILE_SLICE = 1000;

/** Read again on every `read()`, so a second pass sees what is on disk now. */
export class FileSource implements SecretSource {
  readonly label: string;
  readonly format: FileFormat;
  private readonly absolute: string;

  constructor(
    path: string,
    private readonly options: FileSourceOptions,
  ) {
    this.label = path;
    this.absolute = resolve(options.cwd, path);
    this.format = formatOf(path);
  }

  /** dotenv's result is an object, so its keys are distinct; a template holding `{key}` keeps them so (a file's other placeholders are constant). */
  distinctNames(template: string | undefined): boolean {
    return this.format === "dotenv" && (template ?? "{key}").includes("{key}");
  }

  get path(): string {
    return this.absolute;
  }

  /** The file is parsed whole (dotenv's reading of it is the authority), then handed on in slices, so a plan, its journal lines and a store patch hold one slice at a time. */
  async *read(): AsyncIterable<SourceBatch> {
    const { entries, warnings } = parseFileBytes(await this.readBytes(), this.label, this.options);
    if (entries.length <= FILE_SLICE) {
      yield { entries, warnings };
      return;
    }
    for (let start = 0; start < entries.length; start += FILE_SLICE) {
      const slice = entries.slice(start, start + FILE_SLICE);
      yield start === 0 ? { entries: slice, warnings, expected: entries.length } : { entries: slice, warnings: [] };
    }
  }

  async close(): Promise<void> {}

  private async readBytes(): Promise<Buffer> {
    try {
      return await readFile(this.absolute);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") throw usageError("SOURCE_NOT_FOUND", `${this.label}: no such file`, `looked for ${this.absolute}`);
      if (code === "EISDIR") throw usageError("SOURCE_INVALID", `${this.label}: is a directory, not a file`);
      throw new CliError("SOURCE_UNREADABLE", `${this.label}: cannot be read (${code ?? "unknown error"})`, { cause: error });
    }
  }
}

export function parseFileBytes(bytes: Uint8Array, label: string, options: Omit<FileSourceOptions, "cwd">): SourceBatch {
  const text = decode(bytes, label);
  const format = formatOf(label);
  const batch = format === "dotenv" ? parseDotenv(text, label, { expand: options.expand, env: options.env }) : parseStructured(text, label, format);
  const first = batch.warnings[0];
  if (options.strict && first) {
    const where = at(first);
    const more = batch.warnings.length > 1 ? ` (and ${batch.warnings.length - 1} more)` : "";
    throw usageError("SOURCE_INVALID", `${where}: ${first.message}${more}`, "fix the file, or run without --strict to skip what cannot be read");
  }
  return batch;
}

function decode(bytes: Uint8Array, label: string): string {
  // A lenient decode would turn bad bytes into U+FFFD and migrate a value that was never in the file.
  // A BOM stays in the text, as in the string dotenv.parse makes of the same bytes.
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw usageError("SOURCE_INVALID", `${label}: is not valid UTF-8`, "save the file as UTF-8");
  }
}
