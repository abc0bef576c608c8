import type { FileHandle } from "node:fs/promises";
import { openNoFollow } from "./atomic-file.js";

const CHUNK = 1 << 20;

/**
 * A file's complete lines, pulled one at a time and read 1 MiB at a time, so a caller reading two
 * files side by side (rollback: the journal and the backup) holds neither whole. Text after the last
 * newline is not a line: it is an append that never returned.
 */
export class LineReader {
  private readonly chunk = Buffer.allocUnsafe(CHUNK);
  private carry = Buffer.alloc(0);
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
    const bytes = this.chunk.subarray(0, bytesRead);
    let start = 0;
    for (let end = bytes.indexOf(0x0a); end !== -1; end = bytes.indexOf(0x0a, start)) {
      this.lines.push(this.carry.length > 0 ? Buffer.concat([this.carry, bytes.subarray(0, end)]).toString("utf8") : bytes.toString("utf8", start, end));
      this.carry = Buffer.alloc(0);
      start = end + 1;
    }
    if (start < bytesRead) this.carry = Buffer.concat([this.carry, bytes.subarray(start)]);
  }
}
