import { openNoFollow } from "./atomic-file.js";
import { settleHeap } from "./heap-governor.js";

/** What opening the journal needs to know of the file, read with bounded memory however long it has grown. */
export interface JournalScan {
  /** Complete (newline-terminated) lines. */
  readonly lines: number;
  /** Bytes up to the last newline: anything after it is an append that crashed before its fsync. */
  readonly end: number;
  readonly size: number;
  readonly first: string | undefined;
  readonly last: string | undefined;
}

const CHUNK = 1 << 20;

/** Counts lines chunk by chunk and keeps only the first and the last complete one. */
export async function scanJournal(path: string): Promise<JournalScan> {
  const handle = await openNoFollow(path);
  if (!handle) return { lines: 0, end: 0, size: 0, first: undefined, last: undefined };
  try {
    const chunk = Buffer.allocUnsafe(CHUNK);
    let lines = 0;
    let end = 0;
    let previousEnd = 0;
    let firstEnd = 0;
    let offset = 0;
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, CHUNK, offset);
      if (bytesRead === 0) break;
      for (let at = chunk.indexOf(0x0a); at !== -1 && at < bytesRead; at = chunk.indexOf(0x0a, at + 1)) {
        lines++;
        previousEnd = end;
        end = offset + at + 1;
        if (lines === 1) firstEnd = end;
      }
      offset += bytesRead;
    }
    const text = async (from: number, to: number) => {
      const bytes = Buffer.alloc(to - from);
      await handle.read(bytes, 0, bytes.length, from);
      return bytes.toString("utf8");
    };
    if (lines === 0) return { lines, end, size: offset, first: undefined, last: undefined };
    return { lines, end, size: offset, first: await text(0, firstEnd - 1), last: await text(previousEnd, end - 1) };
  } finally {
    await handle.close();
  }
}

/**
 * Each complete line, in order, read 1 MiB at a time: a journal of many runs is never held whole.
 * A final line without its newline is handed on too, marked, so the caller can tell crash debris.
 */
export async function eachJournalLine(path: string, visit: (line: string, index: number, unterminated: boolean) => void): Promise<void> {
  const handle = await openNoFollow(path);
  if (!handle) return;
  try {
    const chunk = Buffer.allocUnsafe(CHUNK);
    let carry = Buffer.alloc(0);
    let index = 0;
    let offset = 0;
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, CHUNK, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
      const bytes = chunk.subarray(0, bytesRead);
      let start = 0;
      for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, start)) {
        // Only a line cut by the chunk's edge is joined; every other one is decoded straight from the chunk.
        const line = carry.length > 0 ? Buffer.concat([carry, bytes.subarray(0, at)]).toString("utf8") : bytes.toString("utf8", start, at);
        carry = Buffer.alloc(0);
        visit(line, index++, false);
        start = at + 1;
      }
      if (start < bytesRead) carry = Buffer.concat([carry, bytes.subarray(start)]);
      // A long run's journal is hundreds of MiB of short-lived strings: the heap is kept in bounds as it goes.
      await settleHeap();
    }
    if (carry.length > 0) visit(carry.toString("utf8"), index, true);
  } finally {
    await handle.close();
  }
}
