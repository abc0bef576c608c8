import { type StepResult, applyPlan } from "../core/apply.js";
import type { BackupWriter } from "../core/backup.js";
import type { Journal } from "../core/journal.js";
import type { PlannedBatch } from "../core/plan-stream.js";
import type { SecretStore } from "../providers/types.js";
import type { ScrubCell } from "../sources/database.js";
import { mask } from "../ui/mask.js";
import type { RenderedItem } from "../ui/render-plan.js";
import type { Reporter } from "../ui/reporter.js";
import type { ColumnStep } from "./scrub-step.js";

/** Rows that get a masked preview: the human table shows no more than this many anyway. */
const PREVIEWS = 200;

const warn = (reporter: Reporter, b: PlannedBatch) => {
  for (const w of b.warnings) reporter.warn(`${w.source}${w.line === undefined ? "" : `:${w.line}`}: ${w.message}`);
};

function withPreviews(b: PlannedBatch, shown: number): RenderedItem[] {
  if (shown >= PREVIEWS) return b.plan.items;
  const values = new Map(b.desired.map((d) => [d.name, d.value]));
  return b.plan.items.map((i, n) => {
    const value = shown + n < PREVIEWS ? values.get(i.name) : undefined;
    return value === undefined ? i : { ...i, preview: mask(value) };
  });
}

export interface Survey {
  readonly items: RenderedItem[];
  readonly writes: number;
  readonly blocked: boolean;
  readonly scrubCells: number;
}

/** Pass 1: plan every batch and keep only the value-free rows, so nothing is written before all is known. */
export async function survey(batches: AsyncIterable<PlannedBatch>, reporter: Reporter, columns: ColumnStep): Promise<Survey> {
  const items: RenderedItem[] = [];
  let writes = 0;
  let blocked = false;
  let scrubCells = 0;
  for await (const b of batches) {
    warn(reporter, b);
    items.push(...withPreviews(b, items.length));
    writes += b.plan.ops.length;
    blocked ||= b.plan.blocked;
    scrubCells += columns.planned(b.plan, b.desired);
    reporter.progress(`planned ${items.length} secrets…`);
  }
  return { items, writes, blocked, scrubCells };
}

export interface ApplyContext {
  readonly store: SecretStore;
  readonly journal: Journal;
  readonly backup: BackupWriter;
  readonly runId: string;
  readonly concurrency: number;
  readonly interrupted: () => boolean;
  readonly reporter: Reporter;
  readonly columns: ColumnStep;
  readonly total: number;
}

export interface Applied {
  readonly items: RenderedItem[];
  readonly results: Map<string, StepResult>;
  readonly cells: ScrubCell[];
}

/**
 * Pass 2: each batch is planned again against the provider as it is now, its priors go into the
 * backup, and only then are its writes applied. An interrupt stops before the next batch.
 */
export async function applyBatches(batches: AsyncIterable<PlannedBatch>, ctx: ApplyContext): Promise<Applied> {
  const items: RenderedItem[] = [];
  const results = new Map<string, StepResult>();
  const cells: ScrubCell[] = [];
  let done = 0;
  for await (const b of batches) {
    if (ctx.interrupted()) {
      for (const op of b.plan.ops) results.set(op.name, { name: op.name, action: op.kind, status: "not-started" });
      items.push(...b.plan.items);
      continue;
    }
    items.push(...b.plan.items);
    await ctx.backup.append({ priors: b.plan.ops.map((op) => priorOf(op.name, b.current)) });
    const batchResults = await applyPlan(b.plan.ops, {
      store: ctx.store,
      journal: ctx.journal,
      runId: ctx.runId,
      concurrency: ctx.concurrency,
      interrupted: ctx.interrupted,
      onProgress: (n) => ctx.reporter.progress(`migrating ${done + n}/${ctx.total}…`),
    });
    done += b.plan.ops.length;
    for (const r of batchResults) results.set(r.name, r);
    cells.push(...ctx.columns.collect(b.plan, b.desired));
  }
  return { items, results, cells };
}

const priorOf = (name: string, current: ReadonlyMap<string, { value: string; version: string }>) => {
  const have = current.get(name);
  return have ? { name, existed: true, value: have.value, version: have.version } : { name, existed: false };
};
