import type { AnchorStore } from "../providers/types.js";
import { claimedMac, journalIdOf, journalPath, parseEntry, readOrEmpty, splitLines } from "./journal-chain.js";

export type AnchorCheck = { ok: true; detail: string; stale?: string } | { ok: false; reason: string };

/** A journal rebuilt, cut or rewritten up to the anchored `run-end` (even with the key) no longer has that line there. */
export async function checkAnchor(stateDir: string, provider: string, anchor: AnchorStore): Promise<AnchorCheck> {
  const lines = splitLines(await readOrEmpty(journalPath(stateDir)));
  const entries = lines.map(parseEntry);
  const started = new Map(entries.filter((e) => e?.type === "run-start").map((e) => [e?.runId, e?.provider]));
  // The seq of each end of a run that wrote on this provider: the anchor should name the last one.
  const wrote = new Set(entries.flatMap((e) => (e?.type === "intent" ? [e.runId] : [])));
  const ends = entries.flatMap((e) => (e?.type === "run-end" && started.get(e.runId) === provider && wrote.has(e.runId) ? [e.seq] : []));
  const id = journalIdOf(lines);
  const record = id === undefined ? undefined : await anchor.read(id);
  if (!record) {
    if (ends.length === 0) {
      const others = id === undefined ? 0 : await anchor.others(id);
      const also = others > 0 ? `; it holds anchors of ${others} other journal(s): other state folders, or this one before it was replaced` : "";
      return { ok: true, detail: `no run of this journal ended on ${provider}, so there is no anchor to compare${also}` };
    }
    return { ok: false, reason: `${anchor.where} holds no anchor for this journal (${id}), though ${ends.length} run(s) ended on ${provider}` };
  }
  const line = lines[record.seq - 1];
  const where = `${anchor.where} records line ${record.seq} (end of run ${record.runId})`;
  if (line === undefined) return { ok: false, reason: `${where}, but the journal has only ${lines.length} lines: it was cut short` };
  const entry = entries[record.seq - 1];
  if (claimedMac(line) !== record.mac || entry?.type !== "run-end" || entry.runId !== record.runId) {
    return { ok: false, reason: `${where}, and line ${record.seq} of the journal is not that line: the journal was rewritten` };
  }
  const last = ends.at(-1) ?? 0;
  const stale = last > record.seq ? `the journal has a later run end on ${provider} (line ${last}): recording that anchor failed` : undefined;
  return { ok: true, detail: `line ${record.seq} matches the anchor in ${anchor.where}`, ...(stale ? { stale } : {}) };
}
