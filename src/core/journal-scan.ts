import type { FileHandle } from "node:fs/promises";
import { openNoFollow } from "./atomic-file.js";
import { settleHeap } from "./heap-governor.js";
import { splitLines } from "./line-reader.js";

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

/** What the journal holds around the length its head recorded: its first line, the line ending there, and whether more follows. */
export interface JournalEnds {
  readonly first: string;
  readonly last: string;
  /** `torn`: bytes after it without a newline, an append that crashed before its fsync. */
  readonly after: "nothing" | "torn" | "lines";
}

const WINDOW = 64 * 1024;

/**
 * Reads only the first line and the one ending at `bytes` (the length the head recorded), not the
 * lines between: a journal of many large runs is hundreds of MiB, and every run opens it. Undefined
 * when no line ends there.
 */
export async function journalEnds(path: string, bytes: number): Promise<JournalEnds | undefined> {
  const handle = await openNoFollow(path);
  if (!handle) return undefined;
  try {
    const { size } = await handle.stat();
    if (bytes < 1 || size < bytes) return undefined;
    const last = await lineEndingAt(handle, bytes);
    const first = await lineEndingAt(handle, await firstLineEnd(handle, bytes));
    if (last === undefined || first === undefined) return undefined;
    let after: JournalEnds["after"] = "nothing";
    if (size > bytes) {
      const rest = Buffer.alloc(size - bytes);
      await handle.read(rest, 0, rest.length, bytes);
      after = rest.includes(0x0a) ? "lines" : "torn";
    }
    return { first, last, after };
  } finally {
    await handle.close();
  }
}

/** The first complete line, read alone; undefined for an empty journal or one whose only line is unterminated. */
export async function journalFirstLine(path: string): Promise<string | undefined> {
  const handle = await openNoFollow(path);
  if (!handle) return undefined;
  try {
    const { size } = await handle.stat();
    const end = await firstLineEnd(handle, size);
    return end > 0 && end <= size ? await lineEndingAt(handle, end) : undefined;
  } finally {
    await handle.close();
  }
}

/** The line whose newline is the byte before `end`, read backwards a window at a time. */
async function lineEndingAt(handle: FileHandle, end: number): Promise<string | undefined> {
  const newline = Buffer.alloc(1);
  await handle.read(newline, 0, 1, end - 1);
  if (newline[0] !== 0x0a) return undefined;
  let start = end - 1;
  const parts: Buffer[] = [];
  while (start > 0) {
    const from = Math.max(0, start - WINDOW);
    const window = Buffer.alloc(start - from);
    await handle.read(window, 0, window.length, from);
    const at = window.lastIndexOf(0x0a);
    parts.unshift(window.subarray(at + 1));
    if (at >= 0) break;
    start = from;
  }
  return Buffer.concat(parts).toString("utf8");
}

async function firstLineEnd(handle: FileHandle, limit: number): Promise<number> {
  for (let from = 0; from < limit; from += WINDOW) {
    const window = Buffer.alloc(Math.min(WINDOW, limit - from));
    await handle.read(window, 0, window.length, from);
    const at = window.indexOf(0x0a);
    if (at >= 0) return from + at + 1;
  }
  return limit;
}

/**
 * Each complete line, in order, read 1 MiB at a time: a journal of many runs is never held whole.
 * A final line without its newline is handed on too, marked, so the caller can tell crash debris.
 */
export async function eachJournalLine(
  path: string,
  visit: (line: string, index: number, unterminated: boolean) => unknown,
  until = Number.POSITIVE_INFINITY,
): Promise<void> {
  const handle = await openNoFollow(path);
  if (!handle) return;
  try {
    const chunk = Buffer.allocUnsafe(CHUNK);
    let carry: Buffer = Buffer.alloc(0);
    let index = 0;
    let offset = 0;
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, Math.min(CHUNK, until - offset), offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
      const lines: string[] = [];
      carry = splitLines(carry, chunk.subarray(0, bytesRead), lines);
      for (const line of lines) {
        const visited = visit(line, index++, false);
        // A visitor that works as it goes (rollback, a slice at a time) holds the reading back meanwhile.
        if (visited instanceof Promise) await visited;
      }
      // A long run's journal is hundreds of MiB of short-lived strings: the heap is kept in bounds as it goes.
      await settleHeap();
    }
    if (carry.length > 0) await visit(carry.toString("utf8"), index, true);
  } finally {
    await handle.close();
  }
}
