import { closeSync, fstatSync, openSync, readFileSync, type Stats } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { extname, resolve } from "node:path";
import { CliError, usageError } from "../core/errors.js";
import { readyGovernor } from "../core/heap-governor.js";
import { parseDotenv } from "./dotenv.js";
import { notUtf8, strictRefusal } from "./refusals.js";
import { parseStructured } from "./structured.js";
import type { SecretSource, SourceBatch } from "./types.js";

export interface FileSourceOptions {
  readonly cwd: string;
  readonly expand?: boolean;
  readonly strict?: boolean;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A .env file this many bytes long or longer is read in pieces (dotenv-stream.ts); tests lower it. */
  readonly piecesFrom?: number;
  /** How much text a piece holds at least, where the file allows a cut. */
  readonly pieceSize?: number;
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

/**
 * Parsed whole, a .env file costs ~1 KiB of memory per line at the peak of a live run (dotenv's
 * object, the scan, the entries, held to the end): at 100,000 lines of ~57 bytes, Node 24 peaks at
 * 204–221 MiB, at 139,000 at 303 MiB. Past either bound it is read in pieces instead
 * (dotenv-stream.ts), which holds a piece at a time but reads the file twice (a no-op re-run of 100k
 * lines took 14–22 % longer so).
 */
const WHOLE_LINES = 100_000;
/** A text this long (~20,000 lines) is parsed with the heap governor started (holdYoung). */
const GOVERNED_TEXT = 1024 * 1024;
const WHOLE_BYTES = 8 * 1024 * 1024;

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

  /**
   * The file is parsed whole (dotenv's reading of it is the authority), then handed on in slices, so
   * a plan, its journal lines and a store patch hold one slice at a time. A large .env is read in
   * pieces dotenv reads the same way; `--expand` needs every value at once, so it always reads whole.
   */
  async *read(): AsyncIterable<SourceBatch> {
    const text = this.readWhole();
    if (text === undefined) {
      yield* this.pieces();
      return;
    }
    // A parse of this size is one synchronous step: the heap governor must be ready to act inside it.
    if (this.format === "dotenv" && text.length >= GOVERNED_TEXT) await readyGovernor();
    yield* this.whole(text);
  }

  /**
   * The file's text when it is parsed whole, read at once (a hand-off to the thread pool per call
   * cost a small project's start more than its reading); undefined for a .env read in pieces. Its
   * line ends are counted in the text (String's indexOf is ~4 times quicker than Buffer's, which crosses
   * into C++ at each call); a file of more is dropped unparsed.
   */
  private readWhole(): string | undefined {
    const pieces = this.format === "dotenv" && !this.options.expand;
    let fd: number;
    let stats: Stats;
    try {
      fd = openSync(this.absolute, "r");
    } catch (error) {
      throw this.openError(error);
    }
    try {
      try {
        stats = fstatSync(fd);
      } catch (error) {
        throw this.openError(error);
      }
      // open() succeeds on a folder; reading it fails with EISDIR.
      if (stats.isDirectory()) throw this.openError(Object.assign(new Error("EISDIR"), { code: "EISDIR" }));
      if (pieces && stats.size >= (this.options.piecesFrom ?? WHOLE_BYTES)) return undefined;
      const text = decode(readFileSync(fd), this.label);
      return pieces && lineEnds(text) > WHOLE_LINES ? undefined : text;
    } finally {
      closeSync(fd);
    }
  }

  /** Loaded only for such a file: no other start pays for reading it. */
  private async *pieces(): AsyncIterable<SourceBatch> {
    const { handle, stats } = await this.open();
    try {
      const { streamDotenv } = await import("./dotenv-stream.js");
      yield* streamDotenv(handle, stats, this.label, { strict: this.options.strict, slice: FILE_SLICE, pieceSize: this.options.pieceSize });
    } finally {
      await handle.close();
    }
  }

  private *whole(text: string): Iterable<SourceBatch> {
    const { entries, warnings } = parseFileText(text, this.label, this.options);
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

  /** With its size and time as opened: a large .env's second pass checks them again. */
  private async open(): Promise<{ handle: FileHandle; stats: Stats }> {
    let handle: FileHandle | undefined;
    try {
      handle = await open(this.absolute, "r");
      return { handle, stats: await handle.stat() };
    } catch (error) {
      await handle?.close();
      throw this.openError(error);
    }
  }

  private openError(error: unknown): CliError {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return usageError("SOURCE_NOT_FOUND", `${this.label}: no such file`, `looked for ${this.absolute}`);
    if (code === "EISDIR") return usageError("SOURCE_INVALID", `${this.label}: is a directory, not a file`);
    return new CliError("SOURCE_UNREADABLE", `${this.label}: cannot be read (${code ?? "unknown error"})`, { cause: error });
  }
}

export function parseFileBytes(bytes: Uint8Array, label: string, options: Omit<FileSourceOptions, "cwd">): SourceBatch {
  return parseFileText(decode(bytes, label), label, options);
}

function parseFileText(text: string, label: string, options: Omit<FileSourceOptions, "cwd">): SourceBatch {
  const format = formatOf(label);
  const batch = format === "dotenv" ? parseDotenv(text, label, { expand: options.expand, env: options.env }) : parseStructured(text, label, format);
  const first = batch.warnings[0];
  if (options.strict && first) throw strictRefusal(first, batch.warnings.length > 1 ? ` (and ${batch.warnings.length - 1} more)` : "");
  return batch;
}

/** LF and CR both counted: a file ending its lines with CR alone is as many lines. */
function lineEnds(text: string): number {
  let count = 0;
  for (const end of ["\n", "\r"]) for (let at = text.indexOf(end); at !== -1; at = text.indexOf(end, at + 1)) count++;
  return count;
}

function decode(bytes: Uint8Array, label: string): string {
  // Fatal (see notUtf8). A BOM stays in the text, as in the string dotenv.parse makes of the same bytes.
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw notUtf8(label);
  }
}
