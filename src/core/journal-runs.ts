import type { JournalEntry } from "./journal-chain.js";

export interface RunCounts {
  intent: number;
  done: number;
  failed: number;
  /** Intents with no outcome yet: the run crashed or was killed mid-step. */
  pending: number;
}

export interface RunSummary {
  runId: string;
  command?: string;
  provider?: string;
  startedAt: string;
  endedAt?: string;
  status?: string;
  counts: RunCounts;
}

/** One summary per run, in the order runs started. No `endedAt` means the run never finished. */
export function runsOf(entries: readonly JournalEntry[]): RunSummary[] {
  const runs = new Map<string, RunSummary & { open: Set<string> }>();
  for (const e of entries) {
    // Store lines record the local store's generation; they are bookkeeping, not steps of a run.
    if (e.type === "store") continue;
    let run = runs.get(e.runId);
    if (run === undefined) {
      run = { runId: e.runId, startedAt: e.ts, counts: { intent: 0, done: 0, failed: 0, pending: 0 }, open: new Set() };
      runs.set(e.runId, run);
    }
    const step = `${e.provider ?? ""}\0${e.name ?? ""}`;
    if (e.type === "run-start") {
      run.command ??= e.command;
      run.provider ??= e.provider;
    } else if (e.type === "intent") {
      run.counts.intent += 1;
      run.open.add(step);
    } else if (e.type === "done" || e.type === "failed") {
      run.counts[e.type] += 1;
      run.open.delete(step);
    } else if (e.type === "run-end") {
      run.endedAt = e.ts;
      run.status = e.status;
    }
  }
  return [...runs.values()].map(({ open, ...run }) => ({ ...run, counts: { ...run.counts, pending: open.size } }));
}

/** A run's steps and notes (store bookkeeping lines left out, as in `runsOf`). */
export function entriesOf(entries: readonly JournalEntry[], runId: string): JournalEntry[] {
  return entries.filter((e) => e.runId === runId && e.type !== "store");
}
