import { isAscii } from "node:buffer";
import { createHmac } from "node:crypto";
import { writeAtEnd, writeFileAtomic } from "./atomic-file.js";
import { sameMac, subkey } from "./crypto.js";
import { settleHeap } from "./heap-governor.js";
import { parseJsonArray } from "./json-array.js";
import { openForReading, type ReadHandle } from "./read-handle.js";
import { LOG_FORMAT, macFailed, newStoreId, openStore, parseJson, patchMac, type SealedFile, type StoreSeal, storeTampered } from "./store-seal.js";

/**
 * The store file since the paged store: a header line, then only chained lines, each
 * `<tag>\t<names>\t<secrets>`. A snapshot is many such lines, so no line holds the whole store, and
 * a reader can learn which names a line holds without parsing its values. Same MAC chain and
 * generations as `store-seal.ts`; knows nothing of the secrets' shape.
 */
export { LOG_FORMAT };

/** Where one verified line lies, and the MACs that let it be verified again when it is read back. */
export interface LogLine {
  readonly offset: number;
  /** With its newline. */
  readonly length: number;
  readonly generation: number;
  readonly before: string;
  readonly mac: string;
}

const storeKey = (dataKey: Buffer) => subkey(dataKey, "store");

function headerMac(dataKey: Buffer, seal: StoreSeal): string {
  return createHmac("sha256", storeKey(dataKey)).update(`store-log\n${seal.id}\n${seal.generation}`).digest("hex");
}

/** The seal of a store file in either layout, verified whole; undefined when there is no file. */
export async function sealOfStore(dataKey: Buffer, path: string): Promise<SealedFile | undefined> {
  const handle = await openForReading(path);
  if (!handle) return undefined;
  try {
    if (isLogHeader(await firstLine(handle))) return await scanLog(dataKey, handle, path, () => undefined);
    return openStore(dataKey, await handle.readFile(), path).seal;
  } finally {
    await handle.close();
  }
}

export async function firstLine(handle: ReadHandle): Promise<string> {
  const buffer = Buffer.allocUnsafe(4096);
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
  const end = buffer.subarray(0, bytesRead).indexOf(0x0a);
  return buffer.toString("utf8", 0, end < 0 ? bytesRead : end);
}

export function isLogHeader(firstLine: string): boolean {
  try {
    return (JSON.parse(firstLine) as { format?: unknown }).format === LOG_FORMAT;
  } catch {
    return false;
  }
}

export interface LineBody {
  /** The `names` part: JSON the reader parses at open. */
  readonly names: string;
  readonly secrets: string;
}

export interface OpenedLine extends LogLine {
  readonly names: string;
}

const CHUNK = 1 << 20;

/**
 * Verifies the whole file in 1 MiB reads, handing each line's place and names to `visit`; an
 * unterminated last line is an append that crashed before its fsync, ignored. Throws STORE_TAMPERED.
 */
export async function scanLog(dataKey: Buffer, handle: ReadHandle, path: string, visit: (line: OpenedLine) => void): Promise<SealedFile> {
  // One buffer for the whole scan: a line cut by a read moves to its front, and a line longer than it doubles it.
  let buffer = Buffer.allocUnsafe(2 * CHUNK);
  let carried = 0;
  let offset = 0;
  let seal: SealedFile | undefined;
  for (;;) {
    if (carried === buffer.length) buffer = Buffer.concat([buffer, Buffer.allocUnsafe(buffer.length)]);
    const { bytesRead } = await handle.read(buffer, carried, Math.min(CHUNK, buffer.length - carried), offset + carried);
    if (bytesRead === 0) break;
    const bytes = buffer.subarray(0, carried + bytesRead);
    let start = 0;
    for (let end = bytes.indexOf(0x0a); end >= 0; end = bytes.indexOf(0x0a, start)) {
      const line = bytes.subarray(start, end);
      seal = seal === undefined ? openHeader(dataKey, line, path) : openLine(dataKey, seal, line, offset + start, path, visit);
      start = end + 1;
    }
    offset += start;
    carried = bytes.copyWithin(0, start).length - start;
    // A store of a million secrets is hundreds of MiB read before the first batch: the heap is kept in bounds as it goes.
    await settleHeap();
  }
  if (seal === undefined) throw storeTampered(path, "it does not start with a valid seal header");
  return seal;
}

function openHeader(dataKey: Buffer, line: Buffer, path: string): SealedFile {
  const header = parseJson(line.toString("utf8")) as { format?: unknown; id?: unknown; generation?: unknown; mac?: unknown };
  const { id, generation, mac } = header;
  if (header.format !== LOG_FORMAT || typeof id !== "string" || typeof mac !== "string" || !Number.isSafeInteger(generation)) {
    throw storeTampered(path, "it does not start with a valid seal header");
  }
  const seal = { id, generation: generation as number };
  if (!sameMac(mac, headerMac(dataKey, seal))) throw macFailed(path);
  return { ...seal, mac, bytes: line.length + 1, snapshotBytes: line.length + 1, appendable: true };
}

function openLine(dataKey: Buffer, seal: SealedFile, line: Buffer, offset: number, path: string, visit: (line: OpenedLine) => void): SealedFile {
  const tab = line.indexOf(0x09);
  const names = line.indexOf(0x09, tab + 1);
  const tag = parseJson(line.toString("utf8", 0, Math.max(tab, 0))) as { generation?: unknown; mac?: unknown };
  const next = { id: seal.id, generation: seal.generation + 1 };
  if (tab < 0 || names < 0 || tag.generation !== next.generation || typeof tag.mac !== "string") throw macFailed(path);
  if (!sameMac(tag.mac, patchMac(dataKey, next, seal.mac, line.subarray(tab + 1)))) throw macFailed(path);
  visit({ offset, length: line.length + 1, generation: next.generation, before: seal.mac, mac: tag.mac, names: line.toString("utf8", tab + 1, names) });
  return { ...next, mac: tag.mac, bytes: offset + line.length + 1, snapshotBytes: seal.snapshotBytes, appendable: true };
}

/** The line's bytes as the file holds them now: only `verifyLine` says whether to trust them. */
export async function readLineBytes(handle: ReadHandle, line: LogLine): Promise<Buffer> {
  const bytes = Buffer.allocUnsafe(line.length);
  const { bytesRead } = await handle.read(bytes, 0, line.length, line.offset);
  return bytes.subarray(0, bytesRead);
}

/** A line read back: its names as text, and its secrets parsed when asked. */
export interface ReadBody {
  readonly names: string;
  /** `JSON.parse` of the secrets part; throws SyntaxError as it does. */
  parseSecrets(): unknown;
}

/** A line read back later is verified again against the MAC the scan saw, so bytes changed since are never trusted. */
export function verifyLine(dataKey: Buffer, bytes: Buffer, line: LogLine, id: string, path: string): ReadBody {
  const tab = bytes.indexOf(0x09);
  const names = bytes.indexOf(0x09, tab + 1);
  const body = bytes.subarray(tab + 1, line.length - 1);
  if (bytes.length !== line.length || tab < 0 || names < 0 || !sameMac(line.mac, patchMac(dataKey, { id, generation: line.generation }, line.before, body))) {
    throw macFailed(path);
  }
  // What we write is ASCII unless a name or note is not: decoding it as Latin-1 is then a plain copy.
  const encoding = isAscii(body) ? "latin1" : "utf8";
  return { names: bytes.toString(encoding, tab + 1, names), parseSecrets: () => parseJsonArray(bytes, names + 1, line.length - 1, encoding) };
}

function sealedLine(dataKey: Buffer, previous: SealedFile, body: LineBody): { text: string; line: LogLine; seal: SealedFile } {
  const next = { id: previous.id, generation: previous.generation + 1 };
  const joined = `${body.names}\t${body.secrets}`;
  const mac = patchMac(dataKey, next, previous.mac, joined);
  const text = `${JSON.stringify({ generation: next.generation, mac })}\t${joined}\n`;
  const length = Buffer.byteLength(text);
  const line = { offset: previous.bytes, length, generation: next.generation, before: previous.mac, mac };
  return { text, line, seal: { ...next, mac, bytes: previous.bytes + length, snapshotBytes: previous.snapshotBytes, appendable: true } };
}

/** One line, durable before it resolves. */
export async function appendLine(path: string, dataKey: Buffer, previous: SealedFile, body: LineBody): Promise<{ line: LogLine; seal: SealedFile }> {
  const { text, line, seal } = sealedLine(dataKey, previous, body);
  await writeAtEnd(path, previous.bytes, text);
  return { line, seal };
}

/** A new file (the first write, and each compaction), streamed from `bodies` and replacing the old one atomically. */
export async function writeLog(
  path: string,
  dataKey: Buffer,
  previous: StoreSeal | undefined,
  bodies: AsyncIterable<LineBody>,
  written: (line: LogLine, body: LineBody) => void,
): Promise<SealedFile> {
  const base = { id: previous?.id ?? newStoreId(), generation: (previous?.generation ?? 0) + 1 };
  const header = `${JSON.stringify({ format: LOG_FORMAT, ...base, mac: headerMac(dataKey, base) })}\n`;
  const headerBytes = Buffer.byteLength(header);
  let seal: SealedFile = { ...base, mac: headerMac(dataKey, base), bytes: headerBytes, snapshotBytes: headerBytes, appendable: true };
  async function* parts(): AsyncGenerator<string> {
    yield header;
    for await (const body of bodies) {
      const sealed = sealedLine(dataKey, seal, body);
      seal = sealed.seal;
      written(sealed.line, body);
      yield sealed.text;
    }
  }
  await writeFileAtomic(path, parts(), 0o600);
  return seal;
}
