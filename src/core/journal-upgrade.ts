import { createHash } from "node:crypto";
import { readNoFollow, writeFileAtomic } from "./atomic-file.js";
import type { Clock } from "./clock.js";
import { type MacKey, subkey } from "./crypto.js";
import { CliError, ExitCode } from "./errors.js";
import { Journal } from "./journal.js";
import { claimedMac, GENESIS, headPath, isUnkeyedJournal, journalPath, parseEntry, readOrEmpty, signLine, splitLines } from "./journal-chain.js";
import { emptyHead, readHead, writeHead } from "./journal-head.js";
import { storeFormatOf, writeSealed } from "./store-seal.js";

/**
 * 0.1 state had an unkeyed SHA-256 chain and an unsealed store: the old chain is checked as 0.1
 * did, re-signed, and the store sealed. Deliberate and one-time: runs refuse old state rather than
 * upgrade it, since anyone could write a 0.1-format file that would then be signed.
 */
export async function upgradeState(stateDir: string, storePath: string, dataKey: Buffer, run: { clock: Pick<Clock, "now">; runId: string }) {
  const changed: string[] = [];
  const key = subkey(dataKey, "journal");
  const storeText = (await readNoFollow(storePath))?.toString("utf8");
  const storeUnsealed = storeText !== undefined && storeFormatOf(storeText) === "unsealed";
  const lines = splitLines(await readOrEmpty(journalPath(stateDir)));
  // The journal first, then the store: a crash in between leaves a state this upgrade can finish.
  if (isUnkeyedJournal(lines) || (await readHead(stateDir, key)).status === "unkeyed") {
    if (storeText !== undefined && !storeUnsealed)
      throw downgraded(`${storePath} is already sealed, so this 0.1-format journal was put there after an upgrade`);
    await resign(stateDir, lines, key);
    changed.push(`${journalPath(stateDir)}: ${lines.length} line(s) checked against the 0.1 chain and signed`);
  }
  const journal = await Journal.open(stateDir, run.clock, dataKey);
  if (storeUnsealed) {
    const head = await readHead(stateDir, key);
    if (head.status === "ok" && Object.values(head.head.stores).some((r) => r.path === storePath)) {
      throw downgraded(`the journal recorded a sealed ${storePath}, so this unsealed one was put back after an upgrade`);
    }
    const seal = await writeSealed(storePath, JSON.stringify(JSON.parse(storeText)), dataKey, undefined);
    await journal.recordStore(seal.id, seal.generation, storePath);
    changed.push(`${storePath} sealed as generation 1`);
  }
  if (changed.length > 0) await journal.append([{ runId: run.runId, type: "note", action: "journal-upgrade", data: { changes: changed.length } }]);
  return { changed };
}

async function resign(stateDir: string, lines: readonly string[], key: MacKey): Promise<void> {
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

/** Someone replaced upgraded state with 0.1-format files: signing them would vouch for a forgery. */
const downgraded = (why: string) =>
  new CliError("UPGRADE_REFUSED", `refusing to upgrade: ${why}`, {
    exitCode: ExitCode.failed,
    hint: "restore the files from a trusted copy; run `secrets journal verify` to see what else changed",
  });

const refused = (why: string) =>
  new CliError("UPGRADE_REFUSED", `the 0.1 journal fails its own check (${why}), so it cannot be vouched for`, {
    exitCode: ExitCode.failed,
    hint: "keep it for the record (mv .secrets/journal.jsonl .secrets/journal-0.1.jsonl; rm .secrets/journal.head) and start a new journal",
  });
