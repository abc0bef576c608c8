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

interface Written {
  version?: string;
  toVersion?: string;
  digest?: string;
  /** The run id the latest write of the name was sent under, when not the run's own. */
  as?: string;
}

/** What a run wrote, name by name, folded one journal line at a time so a long run's lines need not be kept. */
export class RunWrites {
  readonly written = new Map<string, Written>();

  add(e: JournalEntry): void {
    if (e.type === "intent" && e.name && !this.written.has(e.name)) {
      const { toVersion, digest: sent } = e.data ?? {};
      this.written.set(e.name, { ...(typeof toVersion === "string" ? { toVersion } : {}), ...(typeof sent === "string" ? { digest: sent } : {}) });
    }
    if (e.type === "intent" && e.name) {
      const as = e.data?.writtenAs;
      const entry = this.written.get(e.name) as Written;
      entry.as = typeof as === "string" ? as : undefined;
    }
    const w = e.name ? this.written.get(e.name) : undefined;
    if (e.type === "done" && w && e.version) w.version = e.version;
  }
}

/** Pure. Intents without a `done` (a crash) are included with what identifies the write: the provider checks whether it landed. */
export function planRollback(
  steps: readonly JournalEntry[] | RunWrites,
  priors: ReadonlyMap<string, PriorState>,
  current: ReadonlyMap<string, Pick<CurrentSecret, "version">>,
  target: string,
  digest: (name: string, value: string) => string,
): RevertPlanItem[] {
  let writes = steps as RunWrites;
  if (!(steps instanceof RunWrites)) {
    writes = new RunWrites();
    for (const e of steps) writes.add(e);
  }
  const { written } = writes;
  const items: RevertPlanItem[] = [];
  for (const [name, w] of written) {
    const prior = priors.get(name);
    const source = `run ${target}`;
    if (!prior) {
      items.push({ name, action: "skip", source, reason: "no backup entry for this name" });
      continue;
    }
    const have = current.get(name);
    const same = prior.existed ? have !== undefined && have.version === prior.version : have === undefined;
    const op: RevertOp = { name, prior, runId: w.as ?? target, ...(w.version ? { writtenVersion: w.version } : inFlight(name, w, digest)) };
    if (same) items.push({ name, action: "unchanged", source });
    else items.push({ name, action: prior.existed ? "restore" : "delete", source, op });
  }
  return items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function inFlight(name: string, w: Written, digest: (name: string, value: string) => string): Pick<RevertOp, "inFlight"> {
  if (w.digest === undefined && w.toVersion === undefined) return {};
  const sent = (value: string) => w.digest !== undefined && digest(name, value) === w.digest;
  return { inFlight: { ...(w.toVersion ? { toVersion: w.toVersion } : {}), sent } };
}
