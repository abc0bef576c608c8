import { randomBytes } from "node:crypto";
import { writeFileAtomic } from "./atomic-file.js";
import { hmac, sameMac, subkey } from "./crypto.js";
import { CliError, ExitCode, usageError } from "./errors.js";

/**
 * A state file as a header line and a document. The header MACs the whole text under a key derived
 * from the data key and carries a generation the journal records, so an edit fails the MAC and an
 * older intact copy is caught by its generation. Knows nothing of the document's shape.
 */
export interface StoreSeal {
  readonly id: string;
  readonly generation: number;
}

const HEADER = "secretshift-store-seal/1";

export const newStoreId = (): string => randomBytes(8).toString("hex");

export function storeFormatOf(text: string): "sealed" | "unsealed" | "unknown" {
  try {
    const format = (JSON.parse(text.split("\n")[0] ?? "") as { format?: unknown }).format;
    return format === HEADER ? "sealed" : format === "secretshift-store/1" ? "unsealed" : "unknown";
  } catch {
    return "unknown";
  }
}

export function sealStore(dataKey: Buffer, seal: StoreSeal, document: string): string {
  const header = { format: HEADER, id: seal.id, generation: seal.generation, mac: storeMac(dataKey, seal, document) };
  return `${JSON.stringify(header)}\n${document}`;
}

/** Throws STORE_TAMPERED unless the MAC verifies. */
export function openStore(dataKey: Buffer, text: string, path: string): { seal: StoreSeal; document: string } {
  if (storeFormatOf(text) === "unsealed") throw unsealedStoreError(path);
  const cut = text.indexOf("\n");
  let header: { format?: unknown; id?: unknown; generation?: unknown; mac?: unknown } = {};
  try {
    header = JSON.parse(cut < 0 ? text : text.slice(0, cut));
  } catch {
    // not a header: judged below
  }
  const { id, generation, mac } = header;
  if (header.format !== HEADER || typeof id !== "string" || typeof mac !== "string" || !Number.isSafeInteger(generation) || cut < 0) {
    throw storeTampered(path, "it does not start with a valid seal header");
  }
  const seal = { id, generation: generation as number };
  const document = text.slice(cut + 1);
  if (!sameMac(mac, storeMac(dataKey, seal, document))) {
    throw storeTampered(path, "its MAC does not verify: names, versions or labels were edited, or it was written with another key");
  }
  return { seal, document };
}

function storeMac(dataKey: Buffer, seal: StoreSeal, document: string): string {
  return hmac(subkey(dataKey, "store"), `store\n${seal.id}\n${seal.generation}\n${document}`);
}

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

export async function writeSealed(path: string, document: string, dataKey: Buffer, previous: StoreSeal | undefined): Promise<StoreSeal> {
  const seal = { id: previous?.id ?? newStoreId(), generation: (previous?.generation ?? 0) + 1 };
  await writeFileAtomic(path, sealStore(dataKey, seal, document), 0o600);
  return seal;
}
