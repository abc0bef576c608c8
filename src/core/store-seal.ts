import { createHmac, randomBytes } from "node:crypto";
import { writeAtEnd, writeFileAtomic } from "./atomic-file.js";
import { sameMac, subkey } from "./crypto.js";
import { CliError, ExitCode, usageError } from "./errors.js";

/**
 * A state file as a header line, a snapshot document line, then appended patch lines. The header
 * MACs the snapshot and each patch MACs itself chained to the line before, under a key derived from
 * the data key; every line carries a generation the journal records, so an edit fails a MAC, a
 * dropped or reordered patch breaks the chain, and an older intact copy (or a cut tail) is caught
 * by its generation. Knows nothing of the document's or the patches' shape.
 */
export interface StoreSeal {
  readonly id: string;
  readonly generation: number;
}

/** Where the next patch goes and what it chains to. */
export interface SealedFile extends StoreSeal {
  readonly mac: string;
  /** Bytes of the header, the snapshot and every complete patch: a torn tail past it is cut on the next append. */
  readonly bytes: number;
  readonly snapshotBytes: number;
  /** False for a file from before patches, whose snapshot line has no newline to append after. */
  readonly appendable: boolean;
}

const HEADER = "secretshift-store-seal/1";
/** The paged layout of `store-log.ts`. */
export const LOG_FORMAT = "secretshift-store-seal/2";

export const newStoreId = (): string => randomBytes(8).toString("hex");

export function storeFormatOf(text: string): "sealed" | "unsealed" | "unknown" {
  try {
    const format = (JSON.parse(text.split("\n")[0] ?? "") as { format?: unknown }).format;
    return format === HEADER || format === LOG_FORMAT ? "sealed" : format === "secretshift-store/1" ? "unsealed" : "unknown";
  } catch {
    return "unknown";
  }
}

function sealedParts(dataKey: Buffer, seal: StoreSeal, document: string): [string, string, string] {
  const header = { format: HEADER, id: seal.id, generation: seal.generation, mac: storeMac(dataKey, seal, document) };
  return [`${JSON.stringify(header)}\n`, document, "\n"];
}

/** Throws STORE_TAMPERED unless every MAC verifies. An unterminated last line is an append that crashed before its fsync: ignored. */
export function openStore(dataKey: Buffer, bytes: Buffer, path: string): { seal: SealedFile; document: string; patches: string[] } {
  // Worked on the bytes, line by line: a store of many megabytes is never copied whole into one more string.
  const headerEnd = bytes.indexOf(0x0a);
  const headerLine = bytes.toString("utf8", 0, headerEnd < 0 ? bytes.length : headerEnd);
  if (storeFormatOf(headerLine) === "unsealed") throw unsealedStoreError(path);
  const header = parseJson(headerLine) as { format?: unknown; id?: unknown; generation?: unknown; mac?: unknown };
  const { id, generation, mac } = header;
  if (header.format !== HEADER || typeof id !== "string" || typeof mac !== "string" || !Number.isSafeInteger(generation) || headerEnd < 0) {
    throw storeTampered(path, "it does not start with a valid seal header");
  }
  // Files written before patches existed end without a newline after the snapshot.
  const documentEnd = bytes.indexOf(0x0a, headerEnd + 1);
  const documentBytes = bytes.subarray(headerEnd + 1, documentEnd < 0 ? bytes.length : documentEnd);
  if (!sameMac(mac, storeMac(dataKey, { id, generation: generation as number }, documentBytes))) throw macFailed(path);
  let end = documentEnd < 0 ? bytes.length : documentEnd + 1;
  const snapshotBytes = end;
  let seal: SealedFile = { id, generation: generation as number, mac, bytes: end, snapshotBytes, appendable: documentEnd >= 0 };
  const patches: string[] = [];
  for (let lineEnd = bytes.indexOf(0x0a, end); documentEnd >= 0 && lineEnd >= 0; lineEnd = bytes.indexOf(0x0a, end)) {
    const line = bytes.toString("utf8", end, lineEnd);
    const tab = line.indexOf("\t");
    const tag = parseJson(line.slice(0, tab)) as { generation?: unknown; mac?: unknown };
    const next = { id, generation: seal.generation + 1 };
    const patch = line.slice(tab + 1);
    if (tab < 0 || tag.generation !== next.generation || typeof tag.mac !== "string" || !sameMac(tag.mac, patchMac(dataKey, next, seal.mac, patch))) {
      throw macFailed(path);
    }
    end = lineEnd + 1;
    seal = { ...next, mac: tag.mac, bytes: end, snapshotBytes, appendable: true };
    patches.push(patch);
  }
  return { seal, document: documentBytes.toString("utf8"), patches };
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) ?? {};
  } catch {
    return {}; // judged by the caller
  }
}

/** Fed in parts: the document may be tens of megabytes, and a joined copy of it would be one more. */
function storeMac(dataKey: Buffer, seal: StoreSeal, document: string | Buffer): string {
  return createHmac("sha256", subkey(dataKey, "store")).update(`store\n${seal.id}\n${seal.generation}\n`).update(document).digest("hex");
}

/** Also the paged layout's line MAC (`store-log.ts`), fed in parts: a line may be hundreds of kilobytes. */
export function patchMac(dataKey: Buffer, seal: StoreSeal, before: string, patch: string | Buffer): string {
  return createHmac("sha256", subkey(dataKey, "store")).update(`store-patch\n${seal.id}\n${seal.generation}\n${before}\n`).update(patch).digest("hex");
}

export const macFailed = (path: string) =>
  storeTampered(path, "its MAC does not verify: names, versions or labels were edited, or it was written with another key");

export const storeTampered = (path: string, why: string): CliError =>
  new CliError("STORE_TAMPERED", `refusing to use ${path}: ${why}`, {
    exitCode: ExitCode.usage,
    hint: "restore the store file from a trusted copy (or the run backups); run `secrets journal verify` to see what else changed",
  });

const unsealedStoreError = (path: string): CliError =>
  usageError(
    "STORE_UNSEALED",
    `${path} was written by secretshift 0.1, whose labels and versions are not authenticated`,
    "run `secrets journal upgrade` once to seal it (see README, Security)",
  );

/** A new snapshot, replacing the file atomically (the first write, and each compaction). */
export async function writeSealed(path: string, document: string, dataKey: Buffer, previous: StoreSeal | undefined): Promise<SealedFile> {
  const seal = { id: previous?.id ?? newStoreId(), generation: (previous?.generation ?? 0) + 1 };
  const parts = sealedParts(dataKey, seal, document);
  await writeFileAtomic(path, parts, 0o600);
  const bytes = parts.reduce((sum, part) => sum + Buffer.byteLength(part), 0);
  return { ...seal, mac: storeMac(dataKey, seal, document), bytes, snapshotBytes: bytes, appendable: true };
}

/** One line, durable before it resolves; the patch must be one line of JSON (no newline or tab outside strings). */
export async function appendSealed(path: string, patch: string, dataKey: Buffer, previous: SealedFile): Promise<SealedFile> {
  const next = { id: previous.id, generation: previous.generation + 1 };
  const mac = patchMac(dataKey, next, previous.mac, patch);
  const line = `${JSON.stringify({ generation: next.generation, mac })}\t${patch}\n`;
  await writeAtEnd(path, previous.bytes, line);
  return { ...next, mac, bytes: previous.bytes + Buffer.byteLength(line), snapshotBytes: previous.snapshotBytes, appendable: true };
}
