import { stat } from "node:fs/promises";
import { HashedCounts } from "./hashed-counts.js";
import { eachJournalEntry, holdsField, type JournalEntry } from "./journal.js";
import { journalPath } from "./journal-chain.js";
import { RunWrites } from "./rollback-plan.js";

const folded = (e: JournalEntry, started: (name: string) => boolean): e is JournalEntry & { name: string } =>
  e.name !== undefined && (e.type === "intent" || (e.type === "done" && started(e.name)));

/**
 * How many of the target run's journal lines `RunWrites` folds for each name (its intents, and the
 * `done`s after its first), so a pass over the journal knows when a name is complete and can hand
 * it on: a million-write run is undone a slice at a time, never held whole.
 */
export class RunLines {
  private constructor(
    readonly target: string,
    private readonly counts: HashedCounts,
    /** Both passes read up to the same byte: rollback's own lines, appended meanwhile, are not read. */
    private readonly until: number,
  ) {}

  static async count(stateDir: string, target: string): Promise<RunLines> {
    const until = await stat(journalPath(stateDir)).then(
      (s) => s.size,
      () => 0,
    );
    const counts = new HashedCounts();
    await eachJournalEntry(
      stateDir,
      (e) => {
        if (e.runId === target && folded(e, (name) => counts.get(name) > 0)) counts.add(e.name);
      },
      holdsField("runId", target),
      until,
    );
    return new RunLines(target, counts, until);
  }

  /** Names the run wrote (or meant to). */
  get names(): number {
    return this.counts.size;
  }

  /**
   * The run's writes in slices of `size` names, each handed on once its last line is read, in about
   * the order the run wrote them. A name's lines normally sit in one batch; a rotation's span the
   * run, and wait until its end.
   */
  async eachSlice(stateDir: string, size: number, visit: (writes: RunWrites) => Promise<void>): Promise<void> {
    const pending = new RunWrites();
    const seen = new Map<string, number>();
    let ready = new RunWrites();
    await eachJournalEntry(
      stateDir,
      (e) => {
        if (e.runId !== this.target || !folded(e, (name) => pending.written.has(name))) return;
        pending.add(e);
        const lines = (seen.get(e.name) ?? 0) + 1;
        if (lines < this.counts.get(e.name)) {
          seen.set(e.name, lines);
          return;
        }
        seen.delete(e.name);
        ready.written.set(e.name, pending.written.get(e.name) ?? {});
        pending.written.delete(e.name);
        if (ready.written.size < size) return;
        const full = ready;
        ready = new RunWrites();
        return visit(full);
      },
      holdsField("runId", this.target),
      this.until,
    );
    // Every counted line was read again, so nothing is pending here; were anything, it is still undone.
    for (const [name, written] of pending.written) ready.written.set(name, written);
    if (ready.written.size > 0) await visit(ready);
  }
}
