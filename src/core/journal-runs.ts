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

/** Folds entries one at a time into one summary per run, so a long journal can be streamed through it. */
export class RunFold {
  private readonly runs = new Map<string, RunSummary & { open: Set<string> }>();

  add(e: JournalEntry): void {
    // Store lines record the local store's generation; they are bookkeeping, not steps of a run.
    if (e.type === "store") return;
    let run = this.runs.get(e.runId);
    if (run === undefined) {
      run = { runId: e.runId, startedAt: e.ts, counts: { intent: 0, done: 0, failed: 0, pending: 0 }, open: new Set() };
      this.runs.set(e.runId, run);
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

  /** In the order runs started. No `endedAt` means the run never finished. */
  summaries(): RunSummary[] {
    return [...this.runs.values()].map(({ open, ...run }) => ({ ...run, counts: { ...run.counts, pending: open.size } }));
  }
}

export function runsOf(entries: readonly JournalEntry[]): RunSummary[] {
  const fold = new RunFold();
  for (const e of entries) fold.add(e);
  return fold.summaries();
}

/** A run's steps and notes (store bookkeeping lines left out, as in `runsOf`). */
export function entriesOf(entries: readonly JournalEntry[], runId: string): JournalEntry[] {
  return entries.filter((e) => e.runId === runId && e.type !== "store");
}
