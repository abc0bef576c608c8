import type { FileHandle } from "node:fs/promises";
import { openNoFollow } from "./atomic-file.js";

const CHUNK = 1 << 20;
const EMPTY: Buffer = Buffer.alloc(0);

/**
 * A file's complete lines, pulled one at a time and read 1 MiB at a time, so a caller reading two
 * files side by side (rollback: the journal and the backup) holds neither whole. Text after the last
 * newline is not a line: it is an append that never returned.
 */
export class LineReader {
  private readonly chunk = Buffer.allocUnsafe(CHUNK);
  private carry: Buffer = EMPTY;
  private lines: string[] = [];
  private at = 0;
  private offset = 0;
  private ended = false;

  private constructor(private readonly handle: FileHandle) {}

  /** Undefined when the file does not exist; a symbolic link is refused. */
  static async open(path: string): Promise<LineReader | undefined> {
    const handle = await openNoFollow(path);
    return handle && new LineReader(handle);
  }

  async next(): Promise<string | undefined> {
    while (this.at === this.lines.length) {
      if (this.ended) return undefined;
      await this.fill();
    }
    return this.lines[this.at++];
  }

  close(): Promise<void> {
    return this.handle.close();
  }

  private async fill(): Promise<void> {
    this.lines = [];
    this.at = 0;
    const { bytesRead } = await this.handle.read(this.chunk, 0, CHUNK, this.offset);
    if (bytesRead === 0) {
      this.ended = true;
      return;
    }
    this.offset += bytesRead;
    this.carry = splitLines(this.carry, this.chunk.subarray(0, bytesRead), this.lines);
  }
}

/**
 * The complete lines of a chunk read after `carry` (the unterminated rest of the chunks before),
 * pushed onto `into`; returns the new rest. Only a line cut by a chunk's edge is joined; every other
 * one is decoded straight from the chunk.
 */
export function splitLines(carry: Buffer, bytes: Buffer, into: string[]): Buffer {
  let start = 0;
  let rest = carry;
  for (let end = bytes.indexOf(0x0a); end !== -1; end = bytes.indexOf(0x0a, start)) {
    into.push(rest.length > 0 ? Buffer.concat([rest, bytes.subarray(0, end)]).toString("utf8") : bytes.toString("utf8", start, end));
    rest = EMPTY;
    start = end + 1;
  }
  return start < bytes.length ? Buffer.concat([rest, bytes.subarray(start)]) : rest;
}
