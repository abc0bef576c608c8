import type { CurrentSecret, PriorState, RevertOp } from "../providers/types.js";
import type { JournalEntry } from "./journal.js";

export type RevertAction = "delete" | "restore" | "unchanged" | "skip" | "failed" | "changed-since";

export interface RevertPlanItem {
  readonly name: string;
  readonly action: RevertAction;
  readonly source: string;
  readonly reason?: string;
  readonly error?: string;
  readonly op?: RevertOp;
}

/**
 * Pure: which names of `target` need undoing, judged from the run's intents, the backup's
 * priors and the provider's current state. Intents without a `done` (a crash) are included:
 * the provider's revert checks whether the write really happened.
 */
export function planRollback(
  steps: readonly JournalEntry[],
  priors: ReadonlyMap<string, PriorState>,
  current: ReadonlyMap<string, CurrentSecret>,
  target: string,
): RevertPlanItem[] {
  const written = new Map<string, string | undefined>();
  for (const e of steps) {
    if (e.type === "intent" && e.name && !written.has(e.name)) written.set(e.name, undefined);
    if (e.type === "done" && e.name && e.version) written.set(e.name, e.version);
  }
  const items: RevertPlanItem[] = [];
  for (const [name, version] of written) {
    const prior = priors.get(name);
    const source = `run ${target}`;
    if (!prior) {
      items.push({ name, action: "skip", source, reason: "no backup entry for this name" });
      continue;
    }
    const have = current.get(name);
    const same = prior.existed ? have !== undefined && have.version === prior.version : have === undefined;
    const op: RevertOp = { name, prior, runId: target, ...(version ? { writtenVersion: version } : {}) };
    if (same) items.push({ name, action: "unchanged", source });
    else items.push({ name, action: prior.existed ? "restore" : "delete", source, op });
  }
  return items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
