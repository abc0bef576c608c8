import { constants } from "node:fs";
import { open as openFile } from "node:fs/promises";
import { appendDurable, ensurePrivateDir, symlinkError } from "./atomic-file.js";
import type { Clock } from "./clock.js";
import { type MacKey, subkey } from "./crypto.js";
import { CliError, ExitCode } from "./errors.js";
import { claimedMac, isUnkeyedJournal, type JournalEntry, type JournalEvent, journalIdOf, journalPath, parseEntry, signLine } from "./journal-chain.js";
import { emptyHead, type JournalHead, noteStore, readHead, writeHead } from "./journal-head.js";
import { eachJournalLine, journalEnds, scanJournal } from "./journal-scan.js";

export * from "./journal-chain.js";
export * from "./journal-runs.js";

export interface RunEndMark {
  readonly journalId: string;
  readonly seq: number;
  readonly mac: string;
  readonly runId: string;
}

export interface JournalOptions {
  readonly onRunEnd?: (mark: RunEndMark) => Promise<void>;
}

interface Pending {
  events: JournalEvent[];
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** One writer (the caller holds the state lock); concurrent appends are group-committed, one fsync per batch. */
export class Journal {
  private queue: Pending[] = [];
  private flushing = false;
  private broken: unknown;
  private lastRunId: string | undefined;
  /** Only runs that wrote get an anchor: a run that wrote nothing writes nothing anywhere. */
  private readonly writing = new Set<string>();

  private constructor(
    private readonly stateDir: string,
    private readonly clock: Pick<Clock, "now">,
    private readonly key: MacKey,
    private head: JournalHead,
    private id: string | undefined,
    private readonly options: JournalOptions,
  ) {}

  static async open(stateDir: string, clock: Pick<Clock, "now">, dataKey: Buffer, options: JournalOptions = {}): Promise<Journal> {
    await ensurePrivateDir(stateDir);
    const key = subkey(dataKey, "journal");
    const path = journalPath(stateDir);
    const head = await readHead(stateDir, key);
    const trusted = head.status === "ok" ? head.head : undefined;
    const firstAtHead = trusted && (await firstLineAtHead(path, trusted));
    if (trusted && firstAtHead !== undefined) return new Journal(stateDir, clock, key, trusted, journalIdOf([firstAtHead]), options);
    const scan = await scanJournal(path);
    // An unterminated tail is an append that crashed before its fsync returned: nobody was told it landed.
    if (scan.end < scan.size) await truncateNoFollow(path, scan.end);
    const first = scan.first === undefined ? [] : [scan.first];
    if (isUnkeyedJournal(first) || head.status === "unkeyed") throw unkeyedJournalError(stateDir);
    // The authenticated head written after exactly these lines already holds their fold: no need to read every past run again.
    if (trusted && trusted.seq > 0 && trusted.seq === scan.lines && scan.last !== undefined && claimedMac(scan.last) === trusted.last) {
      return new Journal(stateDir, clock, key, { ...trusted, bytes: scan.end }, journalIdOf(first), options);
    }
    return new Journal(stateDir, clock, key, { ...(await resumePoint(path, trusted)), bytes: scan.end }, journalIdOf(first), options);
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

  recordStore(store: string, generation: number, path: string): Promise<void> {
    return this.append([{ runId: this.lastRunId ?? "unknown", type: "store", data: { store, generation, path } }]);
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
    let { seq, last } = this.head;
    const stores = { ...this.head.stores };
    const ts = this.clock.now().toISOString();
    const ends: RunEndMark[] = [];
    let out = "";
    for (const event of events) {
      seq += 1;
      const line = signLine(this.key, JSON.stringify({ seq, ts, ...event, prev: last }));
      last = claimedMac(line) ?? last;
      this.id ??= last.slice(0, 16);
      noteStore(stores, event);
      if (event.type === "intent") this.writing.add(event.runId);
      if (event.type === "run-end" && this.writing.has(event.runId)) ends.push({ journalId: this.id, seq, mac: last, runId: event.runId });
      this.lastRunId = event.runId;
      out += `${line}\n`;
    }
    await appendDurable(journalPath(this.stateDir), out);
    this.head = { seq, last, stores, bytes: (this.head.bytes ?? 0) + Buffer.byteLength(out) };
    await writeHead(this.stateDir, this.key, this.head);
    // The anchor is a second copy elsewhere; failing to write it must not break the journal itself.
    for (const mark of ends) await this.options.onRunEnd?.(mark).catch(() => undefined);
  }
}

/**
 * The usual open: the authenticated head says where its last line ends, and that line is there with
 * the MAC the head holds; then the journal's first line (its id), and a torn append after it is cut.
 * Anything else (an older head, a crash between the fsyncs, a file changed behind our back) is left
 * to the full read, which knows what to make of it.
 */
async function firstLineAtHead(path: string, head: JournalHead): Promise<string | undefined> {
  if (head.bytes === undefined || head.seq === 0) return undefined;
  const ends = await journalEnds(path, head.bytes);
  if (!ends || ends.after === "lines" || isUnkeyedJournal([ends.first]) || claimedMac(ends.last) !== head.last) return undefined;
  if (ends.after === "torn") await truncateNoFollow(path, head.bytes);
  return ends.first;
}

/**
 * Lines past the head are trusted only when the head's own line is intact (a crash between the
 * fsyncs); otherwise we chain from the head, so the damage stays visible to `verify`. Streamed (the
 * journal of a million-secret run is more than one string holds), parsing only the store lines.
 */
async function resumePoint(path: string, head: JournalHead | undefined): Promise<JournalHead> {
  const fromFile = emptyHead();
  let anchor: string | undefined;
  const store = holdsField("type", "store");
  await eachJournalLine(path, (line) => {
    fromFile.seq += 1;
    fromFile.last = claimedMac(line) ?? fromFile.last;
    if (fromFile.seq === head?.seq) anchor = line;
    const entry = store(line) ? parseEntry(line) : undefined;
    if (entry) noteStore(fromFile.stores, entry);
  });
  if (head === undefined || head.seq === 0) return fromFile;
  if (anchor === undefined || claimedMac(anchor) !== head.last) return head;
  // The head may hold a store record the lines lost; never let a generation go backwards.
  for (const [id, record] of Object.entries(head.stores)) if (record.generation > (fromFile.stores[id]?.generation ?? 0)) fromFile.stores[id] = record;
  return fromFile;
}

async function truncateNoFollow(path: string, length: number): Promise<void> {
  const handle = await openFile(path, constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0)).catch((e: NodeJS.ErrnoException) => {
    throw e.code === "ELOOP" ? symlinkError(path) : e;
  });
  try {
    await handle.truncate(length);
  } finally {
    await handle.close();
  }
}

export const unkeyedJournalError = (stateDir: string): CliError =>
  new CliError("JOURNAL_UNKEYED", `${journalPath(stateDir)} was written by secretshift 0.1, whose journal lines are not authenticated`, {
    exitCode: ExitCode.usage,
    hint: "run `secrets journal upgrade` once to check its old chain and sign it with a key derived from yours (see README, Security)",
  });

function rejectValues(event: JournalEvent): void {
  const keys = [...Object.keys(event), ...Object.keys(event.data ?? {})];
  if (keys.some((k) => k.toLowerCase() === "value")) {
    throw new CliError("JOURNAL_VALUE_REJECTED", `refusing to journal a field named "value" (${event.type} event)`, {
      exitCode: ExitCode.failed,
      hint: "the journal must never hold secret values; this is a bug in secretshift, please report it",
    });
  }
}

/** Unchecked (reading needs no key); a final unterminated line that does not parse is crash debris. */
export async function readJournal(stateDir: string): Promise<JournalEntry[]> {
  const entries: JournalEntry[] = [];
  await eachJournalEntry(stateDir, (e) => entries.push(e));
  return entries;
}

/**
 * `wanted` may pass over lines by their text before they are parsed: a key and its value, such as
 * `"type":"done"`, cannot occur inside a JSON string, where every quote is escaped.
 */
export const holdsField = (key: string, value: string): ((line: string) => boolean) => {
  const text = `${JSON.stringify(key)}:${JSON.stringify(value)}`;
  return (line) => line.includes(text);
};

/**
 * Streams the entries, so a caller keeping only what it needs (one run, a summary) reads any length in
 * bounded memory. A promise the visitor returns is awaited before the next line; `until` stops at that byte.
 */
export function eachJournalEntry(stateDir: string, visit: (entry: JournalEntry) => unknown, wanted?: (line: string) => boolean, until?: number): Promise<void> {
  return eachJournalLine(
    journalPath(stateDir),
    (line, i, unterminated) => {
      if (wanted && !wanted(line)) return;
      const entry = parseEntry(line);
      if (entry !== undefined) return visit(entry);
      if (!unterminated) {
        throw new CliError("JOURNAL_CORRUPT", `journal line ${i + 1} is not a valid entry`, {
          exitCode: ExitCode.failed,
          hint: "run `secrets journal verify` to see what changed",
        });
      }
    },
    until,
  );
}
