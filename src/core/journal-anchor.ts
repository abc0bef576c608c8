import type { AnchorStore } from "../providers/types.js";
import { claimedMac, journalIdOf, journalPath, parseEntry } from "./journal-chain.js";
import { eachJournalLine, journalFirstLine } from "./journal-scan.js";

export type AnchorCheck = { ok: true; detail: string; stale?: string } | { ok: false; reason: string };

/**
 * A journal rebuilt, cut or rewritten up to the anchored `run-end` (even with the key) no longer has
 * that line there. Streamed, keeping only runs' providers and ends and the anchored line.
 */
export async function checkAnchor(stateDir: string, provider: string, anchor: AnchorStore): Promise<AnchorCheck> {
  const path = journalPath(stateDir);
  const first = await journalFirstLine(path);
  const id = journalIdOf(first === undefined ? [] : [first]);
  const record = id === undefined ? undefined : await anchor.read(id);
  const started = new Map<string, string | undefined>();
  const wrote = new Set<string>();
  // The seq of each end of a run that wrote on this provider: the anchor should name the last one.
  const ends: number[] = [];
  let lines = 0;
  let anchored: { line: string; entry: ReturnType<typeof parseEntry> } | undefined;
  await eachJournalLine(path, (line) => {
    lines++;
    const wanted = lines === record?.seq;
    // Only run starts, run ends and intents are needed from the other lines: a `done` line (half of a
    // long journal) is passed over unparsed. Loose on purpose: text that merely looks like one is parsed.
    if (!wanted && !line.includes("run-") && !line.includes("intent")) return;
    const e = parseEntry(line);
    if (wanted) anchored = { line, entry: e };
    if (e?.type === "run-start") started.set(e.runId, e.provider);
    else if (e?.type === "intent") wrote.add(e.runId);
    else if (e?.type === "run-end" && started.get(e.runId) === provider && wrote.has(e.runId)) ends.push(e.seq);
  });
  if (!record) {
    if (ends.length === 0) {
      const others = id === undefined ? 0 : await anchor.others(id);
      const also = others > 0 ? `; it holds anchors of ${others} other journal(s): other state folders, or this one before it was replaced` : "";
      return { ok: true, detail: `no run of this journal ended on ${provider}, so there is no anchor to compare${also}` };
    }
    return { ok: false, reason: `${anchor.where} holds no anchor for this journal (${id}), though ${ends.length} run(s) ended on ${provider}` };
  }
  const where = `${anchor.where} records line ${record.seq} (end of run ${record.runId})`;
  if (anchored === undefined) return { ok: false, reason: `${where}, but the journal has only ${lines} lines: it was cut short` };
  const { line, entry } = anchored;
  if (claimedMac(line) !== record.mac || entry?.type !== "run-end" || entry.runId !== record.runId) {
    return { ok: false, reason: `${where}, and line ${record.seq} of the journal is not that line: the journal was rewritten` };
  }
  const last = ends.at(-1) ?? 0;
  const stale = last > record.seq ? `the journal has a later run end on ${provider} (line ${last}): recording that anchor failed` : undefined;
  return { ok: true, detail: `line ${record.seq} matches the anchor in ${anchor.where}`, ...(stale ? { stale } : {}) };
}
