import { createHash } from "node:crypto";
import { type LocalDocument, loadDocument, saveDocument } from "../providers/local-document.js";
import { readNoFollow, writeFileAtomic } from "./atomic-file.js";
import { subkey } from "./crypto.js";
import type { Clock } from "./deps.js";
import { CliError, ExitCode } from "./errors.js";
import { Journal } from "./journal.js";
import { claimedMac, GENESIS, headPath, isUnkeyedJournal, journalPath, parseEntry, readOrEmpty, signLine, splitLines } from "./journal-chain.js";
import { emptyHead, readHead, writeHead } from "./journal-head.js";

/**
 * `secrets journal upgrade`: state written by secretshift 0.1 had an unkeyed SHA-256 chain and an
 * unauthenticated store document. This checks the old chain as 0.1's `verify` did, then signs the
 * same lines with the new keyed chain, seals the store as generation 1 and journals both. It is a
 * deliberate, one-time act: runs refuse old state instead of upgrading it silently, since anyone
 * could write a 0.1-format file that would then be signed.
 */
export async function upgradeState(stateDir: string, storePath: string, dataKey: Buffer, run: { clock: Pick<Clock, "now">; runId: string }) {
  const changed: string[] = [];
  const storeText = (await readNoFollow(storePath))?.toString("utf8");
  if (storeText !== undefined && isUnsealedStore(storeText)) {
    // The 0.1 file is the document itself; sealing puts the header in front of it.
    await saveDocument(storePath, JSON.parse(storeText) as LocalDocument, dataKey, undefined);
    changed.push(`${storePath} sealed as generation 1`);
  }
  const key = subkey(dataKey, "journal");
  const lines = splitLines(await readOrEmpty(journalPath(stateDir)));
  const head = await readHead(stateDir, key);
  if (isUnkeyedJournal(lines) || head.status === "unkeyed") {
    await resign(stateDir, lines, key);
    changed.push(`${journalPath(stateDir)}: ${lines.length} line(s) checked against the 0.1 chain and signed`);
  }
  const journal = await Journal.open(stateDir, run.clock, dataKey);
  if (changed.length > 0) await journal.append([{ runId: run.runId, type: "note", action: "journal-upgrade", data: { changes: changed.length } }]);
  const sealed = await loadDocument(storePath, dataKey).catch(() => undefined);
  const current = await readHead(stateDir, key);
  const recorded = current.status === "ok" ? current.head.stores : {};
  if (sealed?.seal && (recorded[sealed.seal.id]?.generation ?? 0) < sealed.seal.generation) {
    await journal.recordStore(sealed.seal.id, sealed.seal.generation, storePath);
    if (changed.length === 0) changed.push(`recorded ${storePath} generation ${sealed.seal.generation} in the journal`);
  }
  return { changed };
}

function isUnsealedStore(text: string): boolean {
  try {
    return (JSON.parse(text.split("\n")[0] ?? "") as { format?: unknown }).format === "secretshift-store/1";
  } catch {
    return false;
  }
}

/** Re-signs 0.1 lines after checking their SHA-256 chain and head exactly as 0.1 did. */
async function resign(stateDir: string, lines: readonly string[], key: Buffer): Promise<void> {
  const oldHead = JSON.parse((await readOrEmpty(headPath(stateDir))) || "null") as { seq?: number; hash?: string } | null;
  const sha = (line: string) => createHash("sha256").update(line, "utf8").digest("hex");
  let prev = GENESIS;
  const out: string[] = [];
  const head = emptyHead();
  for (const [i, line] of lines.entries()) {
    const entry = parseEntry(line);
    if (!entry || entry.seq !== i + 1 || entry.prev !== prev || claimedMac(line) !== undefined) throw refused(`line ${i + 1} does not chain`);
    prev = sha(line);
    const { prev: _old, ...rest } = entry;
    const signed = signLine(key, JSON.stringify({ ...rest, prev: head.last }));
    head.seq += 1;
    head.last = claimedMac(signed) ?? head.last;
    out.push(signed);
  }
  const at = oldHead?.seq ?? 0;
  if (lines.length > 0 && (at > lines.length || (at > 0 && sha(lines[at - 1] ?? "") !== oldHead?.hash))) throw refused("journal.head does not match its lines");
  await writeFileAtomic(journalPath(stateDir), out.map((l) => `${l}\n`).join(""));
  await writeHead(stateDir, key, head);
}

const refused = (why: string) =>
  new CliError("UPGRADE_REFUSED", `the 0.1 journal fails its own check (${why}), so it cannot be vouched for`, {
    exitCode: ExitCode.failed,
    hint: "keep it for the record (mv .secrets/journal.jsonl .secrets/journal-0.1.jsonl; rm .secrets/journal.head) and start a new journal",
  });
