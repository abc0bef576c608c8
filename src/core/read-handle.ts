import { closeSync, fstatSync, readFileSync, readSync, type Stats } from "node:fs";
import { openNoFollow, openSyncNoFollow } from "./atomic-file.js";

/** What reading a state file needs of a FileHandle: reads at a position, all of it, its stats, close. */
export interface ReadHandle {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  readFile(): Promise<Buffer>;
  stat(): Promise<Stats>;
  close(): Promise<void>;
}

/** A file up to this size is read with synchronous calls (a store of ~3,000 secrets). */
const SYNC_BYTES = 1 << 20;

/**
 * A FileHandle's reads, made synchronously on the same open file. Every call through the thread pool
 * costs a hand-off, measured at ~0.1 ms on Node 20 and ~0.5 ms on Node 24 on this project's machine:
 * more than reading a small file, and most of a small command's waiting. A larger file keeps its
 * FileHandle, whose reads overlap the work (pages.ts reads a line ahead while it parses one).
 */
class SyncHandle implements ReadHandle {
  constructor(private fd: number) {}

  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    return { bytesRead: readSync(this.fd, buffer, offset, length, position) };
  }

  /** From the file's current position, as FileHandle's: only positioned reads are made, so that is its start. */
  async readFile(): Promise<Buffer> {
    return readFileSync(this.fd);
  }

  async stat(): Promise<Stats> {
    return fstatSync(this.fd);
  }

  /** Once: the number may belong to another file after it is closed. */
  async close(): Promise<void> {
    const fd = this.fd;
    this.fd = -1;
    if (fd >= 0) closeSync(fd);
  }
}

/** Like openNoFollow: undefined when there is no file, a symlink refused; a small file read synchronously. */
export async function openForReading(path: string): Promise<ReadHandle | undefined> {
  const fd = openSyncNoFollow(path);
  if (fd === undefined) return undefined;
  let small = false;
  try {
    small = fstatSync(fd).size <= SYNC_BYTES;
  } finally {
    if (!small) closeSync(fd);
  }
  return small ? new SyncHandle(fd) : openNoFollow(path);
}
