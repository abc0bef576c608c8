import { noKeyError } from "../../core/crypto.js";
import { settleHeap } from "../../core/heap-governor.js";
import { NameIndex } from "../../core/name-index.js";
import { openForReading, type ReadHandle } from "../../core/read-handle.js";
import { appendLine, firstLine, isLogHeader, type LineBody, type LogLine, readLineBytes, scanLog, verifyLine, writeLog } from "../../core/store-log.js";
import type { SealedFile } from "../../core/store-seal.js";
import type { LocalSecret } from "./document.js";
import { storeCorrupt as corrupt, readLegacy } from "./legacy.js";
import { bodyOf, type LineNames, parseNames, positions } from "./line-body.js";

interface ParsedLine {
  readonly line: number;
  readonly position: Map<string, number>;
  readonly secrets: (LocalSecret | null)[];
  readonly taken: Set<number>;
}

/** The batch size: a line is one batch's patch, or one slice of a compaction. */
const LINE_SECRETS = 1000;
/** Below this much a store is never rewritten: small stores just append. */
export const MIN_COMPACT_BYTES = 4 * 1024 * 1024;

/**
 * The store file held as an index, not as its secrets: name → the line holding its latest entry.
 * Values are read back a line at a time (verified again), so memory grows with the names, not with
 * what each secret holds. Writes append one line per batch; once the file is more than twice what is
 * live, it is rewritten in a stream, line by line.
 */
export class StorePages {
  /** `line * 2 + 1` when the secret has a `current` label, `line * 2` when not. */
  private index = new NameIndex();
  private lines: LogLine[] = [];
  /** Entries of each line still the latest for their name. */
  private live: number[] = [];
  private counts: number[] = [];
  private liveBytes = 0;
  private lastParsed: ParsedLine | undefined;
  /** The line after the last one read, being read while that one is parsed and compared. */
  private ahead: { at: LogLine; bytes: Promise<Buffer | undefined> } | undefined;
  private lastRead = -1;
  /** A store in the earlier one-document layout, held whole until the first save rewrites it as lines. */
  private legacy: Map<string, LocalSecret> | undefined;

  private constructor(
    readonly path: string,
    private readonly key: Buffer,
    private handle: ReadHandle | undefined,
    public seal: SealedFile | undefined,
    private readonly compactAt: number,
  ) {}

  static async open(path: string, key: Buffer | undefined, compactAt = MIN_COMPACT_BYTES): Promise<StorePages> {
    const handle = await openForReading(path);
    if (!handle) return new StorePages(path, key ?? Buffer.alloc(0), undefined, undefined, compactAt);
    try {
      if (!key) throw noKeyError(`reading ${path} needs the encryption key`);
      const first = await firstLine(handle);
      if (!isLogHeader(first)) {
        const { seal, secrets } = await readLegacy(handle, key, path);
        const pages = new StorePages(path, key, handle, seal, compactAt);
        pages.legacy = secrets;
        return pages;
      }
      const pages = new StorePages(path, key, handle, undefined, compactAt);
      const { size } = await handle.stat();
      pages.seal = await scanLog(key, handle, path, (line) => {
        const held = parseNames(line.names, path);
        if (pages.lines.length === 0) pages.index.reserve(expectedNames(held.names.length, line.length, size));
        pages.noteLine(line, held);
      });
      return pages;
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  /** Still the file this was read from, and no longer: a writer in between means reading it again. */
  async unchanged(): Promise<boolean> {
    const there = await openForReading(this.path).then(statAndClose);
    if (!this.handle || !this.seal) return there === undefined;
    const mine = await this.handle.stat();
    return there !== undefined && mine.ino === there.ino && mine.dev === there.dev && there.size === this.seal.bytes;
  }

  /** Names with a `current` version. */
  names(prefix: string, unless: (name: string) => boolean = () => false): string[] {
    const out: string[] = [];
    if (this.legacy) {
      for (const [name, secret] of this.legacy) if (secret.labels.current !== undefined && name.startsWith(prefix) && !unless(name)) out.push(name);
      return out;
    }
    for (const [name, at] of this.index.entries()) if (at % 2 === 1 && name.startsWith(prefix) && !unless(name)) out.push(name);
    return out;
  }

  /** Fresh objects the caller may change: each line needed is read and parsed once. */
  async get(names: Iterable<string>): Promise<Map<string, LocalSecret>> {
    const out = new Map<string, LocalSecret>();
    if (this.legacy) {
      for (const name of names) {
        const secret = this.legacy.get(name);
        if (secret) out.set(name, structuredClone(secret));
      }
      return out;
    }
    const byLine = new Map<number, string[]>();
    for (const name of names) {
      const at = this.index.get(name);
      if (at === undefined) continue;
      const wanted = byLine.get(at >> 1);
      if (wanted) wanted.push(name);
      else byLine.set(at >> 1, [name]);
    }
    for (const [line, wanted] of byLine) {
      const parsed = await this.parsedLine(line, wanted);
      for (const name of wanted) {
        const i = parsed.position.get(name) ?? -1;
        const secret = parsed.secrets[i];
        parsed.taken.add(i);
        if (secret) out.set(name, secret);
      }
    }
    return out;
  }

  /**
   * The last line parsed is kept, so reads one name at a time in the order names were written (a
   * rollback) parse each line once; an entry already handed out is never handed out again.
   */
  private async parsedLine(line: number, wanted: readonly string[]): Promise<ParsedLine> {
    const kept = this.lastParsed;
    if (kept?.line === line && wanted.every((name) => !kept.taken.has(kept.position.get(name) ?? -1))) return kept;
    const { names, secrets } = await this.readSecrets(line);
    this.lastParsed = { line, position: positions(names), secrets, taken: new Set() };
    return this.lastParsed;
  }

  /** Every secret, a line at a time. */
  async *all(): AsyncGenerator<[string, LocalSecret]> {
    if (this.legacy) {
      yield* [...this.legacy].map(([n, s]): [string, LocalSecret] => [n, structuredClone(s)]);
      return;
    }
    for (let line = 0; line < this.lines.length; line++) {
      if (this.live[line] === 0) continue;
      const { names, secrets } = await this.readSecrets(line);
      for (let i = 0; i < names.length; i++) {
        const name = names[i] as string;
        const secret = secrets[i];
        if (secret && this.index.get(name) !== undefined && (this.index.get(name) as number) >> 1 === line) yield [name, secret];
      }
    }
  }

  /** Durable before it resolves; the index follows only once it is. */
  async save(changes: ReadonlyMap<string, LocalSecret | null>): Promise<SealedFile> {
    if (changes.size === 0 && this.seal) return this.seal;
    if (!this.seal || this.legacy || this.seal.bytes > Math.max(2 * this.liveBytes, this.compactAt)) return this.rewrite(changes);
    const body = bodyOf([...changes]);
    const { line, seal } = await appendLine(this.path, this.key, this.seal, body);
    this.seal = seal;
    this.noteLine(line, parseNames(body.names, this.path));
    return seal;
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private async readSecrets(line: number): Promise<{ names: string[]; secrets: (LocalSecret | null)[] }> {
    const at = this.lines[line];
    if (!at || !this.handle || !this.seal) throw corrupt(this.path);
    const body = verifyLine(this.key, await this.lineBytes(line, at, this.handle), at, this.seal.id, this.path);
    try {
      const names = (JSON.parse(body.names) as LineNames).names;
      const secrets = body.parseSecrets() as (LocalSecret | null)[];
      if (!Array.isArray(secrets) || secrets.length !== names.length) throw corrupt(this.path);
      return { names, secrets };
    } catch {
      throw corrupt(this.path);
    }
  }

  /**
   * Lines read in order (a re-run planning batch after batch, `all`, a compaction) are read one ahead,
   * so the disk read of the next overlaps the parse and compare of this one instead of stalling the
   * run between batches. A line read ahead is verified like any other when used; the bytes of one not
   * used are dropped (a FileHandle closes only once its reads are done).
   */
  private async lineBytes(line: number, at: LogLine, handle: ReadHandle): Promise<Buffer> {
    const ahead = this.ahead;
    this.ahead = undefined;
    const early = ahead?.at === at ? await ahead.bytes : undefined;
    const bytes = early ?? (await readLineBytes(handle, at));
    const next = this.lines[line + 1];
    if (line === this.lastRead + 1 && next) this.ahead = { at: next, bytes: readLineBytes(handle, next).catch(() => undefined) };
    this.lastRead = line;
    return bytes;
  }

  private noteLine(line: LogLine, held: LineNames): void {
    const number = this.lines.length;
    this.lines.push(line);
    this.counts.push(held.names.length);
    this.live.push(held.names.length);
    this.liveBytes += line.length;
    const gone = new Set(held.gone);
    const bare = new Set(held.bare);
    held.names.forEach((name, i) => {
      if (gone.has(i)) {
        const before = this.index.get(name);
        if (before !== undefined) this.drop(before >> 1);
        this.index.delete(name);
        this.drop(number);
        return;
      }
      const before = this.index.put(name, number * 2 + (bare.has(i) ? 0 : 1));
      if (before !== undefined) this.drop(before >> 1);
    });
  }

  private drop(line: number): void {
    this.live[line] = (this.live[line] ?? 1) - 1;
    this.liveBytes -= (this.lines[line]?.length ?? 0) / (this.counts[line] ?? 1);
  }

  /**
   * A new file from what is live, read line by line from the old one, then the changes. While it is
   * written, a name already moved holds its new place as a negative number, so the index is never
   * held twice; a failed write reads the untouched old file again.
   */
  private async rewrite(changes: ReadonlyMap<string, LocalSecret | null>): Promise<SealedFile> {
    const lines: LogLine[] = [];
    const counts: number[] = [];
    const moved = (line: LogLine, body: LineBody) => {
      const held = parseNames(body.names, this.path);
      const bare = new Set(held.bare);
      held.names.forEach((name, i) => {
        this.index.set(name, -(lines.length * 2 + (bare.has(i) ? 0 : 1)) - 1);
      });
      lines.push(line);
      counts.push(held.names.length);
    };
    let seal: SealedFile;
    try {
      seal = await writeLog(this.path, this.key, this.seal, this.liveSlices(changes), moved);
    } catch (e) {
      if (lines.length > 0) await this.reload();
      throw e;
    }
    this.index.mapValues((at) => (at >= 0 ? undefined : -(at + 1)));
    this.lastParsed = undefined;
    this.lines = lines;
    this.counts = counts;
    this.live = [...counts];
    this.legacy = undefined;
    this.liveBytes = seal.bytes - seal.snapshotBytes;
    this.seal = seal;
    await this.handle?.close();
    this.handle = await openForReading(this.path);
    return seal;
  }

  private async *liveSlices(changes: ReadonlyMap<string, LocalSecret | null>): AsyncGenerator<LineBody> {
    let slice: [string, LocalSecret | null][] = [];
    const full = () => {
      const body = bodyOf(slice);
      slice = [];
      return body;
    };
    for (const entry of this.legacy ?? []) {
      if (!changes.has(entry[0])) slice.push(entry);
      if (slice.length >= LINE_SECRETS) yield full();
    }
    for (let line = 0; !this.legacy && line < this.lines.length; line++) {
      if (this.live[line] === 0) continue;
      // A compaction reads and seals hundreds of lines of ~300 KiB in one go: the heap is kept in bounds
      // as it goes (without this, a million-secret rollback peaked 60–90 MiB higher in some runs).
      await settleHeap();
      const { names, secrets } = await this.readSecrets(line);
      for (let i = 0; i < names.length; i++) {
        const name = names[i] as string;
        const at = this.index.get(name);
        if (at !== undefined && at >= 0 && at >> 1 === line && !changes.has(name)) slice.push([name, secrets[i] ?? null]);
        if (slice.length >= LINE_SECRETS) yield full();
      }
    }
    for (const entry of changes) {
      if (entry[1] !== null) slice.push(entry);
      if (slice.length >= LINE_SECRETS) yield full();
    }
    if (slice.length > 0) yield full();
  }

  private async reload(): Promise<void> {
    const fresh = await StorePages.open(this.path, this.key, this.compactAt);
    await this.handle?.close();
    Object.assign(this, { index: fresh.index, lines: fresh.lines, live: fresh.live, counts: fresh.counts, liveBytes: fresh.liveBytes });
    Object.assign(this, { legacy: fresh.legacy, handle: fresh.handle, seal: fresh.seal, lastParsed: undefined });
  }
}

/**
 * About how many names a store holds, from its first line's share of the file. Capped: a first line
 * of tiny secrets before large ones would overstate it, and the index grows past a guess anyway.
 */
function expectedNames(namesInLine: number, lineBytes: number, fileBytes: number): number {
  return Math.min(2 ** 19, Math.ceil((namesInLine * fileBytes) / Math.max(lineBytes, 1)));
}

async function statAndClose(handle: ReadHandle | undefined) {
  if (!handle) return undefined;
  try {
    return await handle.stat();
  } finally {
    await handle.close();
  }
}
