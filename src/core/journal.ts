import { readFile, truncate } from "node:fs/promises";
import { appendDurable, ensurePrivateDir, writeFileAtomic } from "./atomic-file.js";
import type { Clock } from "./deps.js";
import { CliError, ExitCode } from "./errors.js";
import {
  GENESIS,
  hashLine,
  headPath,
  type JournalEntry,
  type JournalEvent,
  type JournalHead,
  journalPath,
  parseEntry,
  readHead,
  readOrEmpty,
  splitLines,
} from "./journal-chain.js";

// One import path for callers; the chain format and verification live in journal-chain.ts.
export * from "./journal-chain.js";
export * from "./journal-runs.js";

interface Pending {
  events: JournalEvent[];
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Appender for one process; the caller holds the state-dir lock so there is one writer.
 * Concurrent `append` calls are group-committed: one write and one fsync per batch.
 */
export class Journal {
  private queue: Pending[] = [];
  private flushing = false;
  private broken: unknown;

  private constructor(
    private readonly stateDir: string,
    private readonly clock: Pick<Clock, "now">,
    private head: JournalHead,
  ) {}

  static async open(stateDir: string, clock: Pick<Clock, "now">): Promise<Journal> {
    await ensurePrivateDir(stateDir);
    const bytes = await readFile(journalPath(stateDir)).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return Buffer.alloc(0);
      throw e;
    });
    // An unterminated tail is an append that crashed before its fsync returned: nobody was told it landed.
    const end = bytes.lastIndexOf(0x0a) + 1;
    if (end < bytes.length) await truncate(journalPath(stateDir), end);
    const lines = splitLines(bytes.subarray(0, end).toString("utf8"));
    return new Journal(stateDir, clock, resumePoint(lines, await readHead(stateDir)));
  }

  append(events: JournalEvent[]): Promise<void> {
    try {
      for (const event of events) rejectValues(event);
    } catch (e) {
      return Promise.reject(e);
    }
    if (events.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      try {
        // After a failed write the file may hold part of a batch; chaining onto it would be a lie.
        if (this.broken !== undefined) throw this.broken;
        await this.write(batch.flatMap((p) => p.events));
        for (const p of batch) p.resolve();
      } catch (e) {
        this.broken ??= e;
        for (const p of batch) p.reject(e);
      }
    }
    this.flushing = false;
  }

  private async write(events: JournalEvent[]): Promise<void> {
    let { seq, hash } = this.head;
    const ts = this.clock.now().toISOString();
    let out = "";
    for (const event of events) {
      seq += 1;
      const line = JSON.stringify({ seq, ts, ...event, prev: hash });
      hash = hashLine(line);
      out += `${line}\n`;
    }
    await appendDurable(journalPath(this.stateDir), out);
    this.head = { seq, hash };
    await writeFileAtomic(headPath(this.stateDir), `${JSON.stringify(this.head)}\n`);
  }
}

/**
 * Where the next line chains from. Lines past the head are trusted only when the head's own
 * line is intact (a crash between the journal fsync and the head write). If the head's line is
 * missing or edited we chain from the head itself, so the damage stays visible to `verify`.
 */
function resumePoint(lines: string[], head: JournalHead | undefined): JournalHead {
  const last = lines.at(-1);
  const fromFile = { seq: lines.length, hash: last === undefined ? GENESIS : hashLine(last) };
  if (head === undefined || head.seq === 0) return fromFile;
  const anchor = lines[head.seq - 1];
  return anchor !== undefined && hashLine(anchor) === head.hash ? fromFile : head;
}

function rejectValues(event: JournalEvent): void {
  const keys = [...Object.keys(event), ...Object.keys(event.data ?? {})];
  if (keys.some((k) => k.toLowerCase() === "value")) {
    throw new CliError("JOURNAL_VALUE_REJECTED", `refusing to journal a field named "value" (${event.type} event)`, {
      exitCode: ExitCode.failed,
      hint: "the journal must never hold secret values; this is a bug in secretshift, please report it",
    });
  }
}

/** Every entry, oldest first. A final unterminated line that does not parse is crash debris and skipped. */
export async function readJournal(stateDir: string): Promise<JournalEntry[]> {
  const text = await readOrEmpty(journalPath(stateDir));
  const lines = splitLines(text);
  const entries: JournalEntry[] = [];
  for (const [i, line] of lines.entries()) {
    const entry = parseEntry(line);
    if (entry !== undefined) entries.push(entry);
    else if (!(i === lines.length - 1 && !text.endsWith("\n"))) {
      throw new CliError("JOURNAL_CORRUPT", `journal line ${i + 1} is not a valid entry`, {
        exitCode: ExitCode.failed,
        hint: "run `secrets journal verify` to see what changed",
      });
    }
  }
  return entries;
}
