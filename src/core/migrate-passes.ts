import type { SecretStore } from "../providers/types.js";
import type { ColumnStep } from "../sources/column-scrub.js";
import type { ScrubCell } from "../sources/database.js";
import { at } from "../sources/origin.js";
import type { ItemSink } from "../ui/item-sink.js";
import { mask } from "../ui/mask.js";
import { plannedLine, rateLine } from "../ui/rate.js";
import type { RenderedItem } from "../ui/render-plan.js";
import type { Reporter } from "../ui/reporter.js";
import type { StepResult, Writer } from "./apply.js";
import type { BackupWriter } from "./backup.js";
import type { PlannedBatch } from "./plan-stream.js";
import { writePreviousFirst } from "./previous-first.js";

/** The human table shows no more rows than this anyway. */
const PREVIEWS = 200;

const warn = (reporter: Reporter, b: PlannedBatch) => {
  for (const w of b.warnings) reporter.warn(`${at(w)}: ${w.message}`);
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
  readonly writes: number;
  readonly blocked: boolean;
  readonly scrubCells: number;
}

export interface SurveyOptions {
  readonly quiet?: boolean;
  readonly stop?: () => boolean;
}

/** Pass 1: every batch planned, rows value-free, so nothing is written before all is known. */
export async function survey(
  batches: AsyncIterable<PlannedBatch>,
  sink: Pick<ItemSink, "add" | "count">,
  reporter: Reporter,
  columns: Pick<ColumnStep, "planned">,
  options: SurveyOptions = {},
): Promise<Survey> {
  let writes = 0;
  let blocked = false;
  let scrubCells = 0;
  let expected = 0;
  for await (const b of batches) {
    expected += b.expected ?? 0;
    if (options.stop?.()) break;
    if (!options.quiet) warn(reporter, b);
    sink.add(withPreviews(b, sink.count));
    writes += b.plan.ops.length;
    blocked ||= b.plan.blocked;
    scrubCells += columns.planned(b.plan, b.desired);
    reporter.progress(plannedLine(sink.count, expected));
  }
  return { writes, blocked, scrubCells };
}

export interface ApplyContext {
  readonly store: SecretStore;
  readonly writer: Writer;
  readonly backup: BackupWriter;
  readonly concurrency: number;
  readonly reporter: Reporter;
  readonly columns: ColumnStep;
  readonly total: number;
  readonly sink: ItemSink;
  /** Copy previous values too (`--with-previous`, a versioned target). */
  readonly withPrevious?: boolean;
  readonly now: () => number;
}

export interface Applied {
  readonly failed: number;
  /** Rows that became conflicts or invalid between the two passes. */
  readonly drifted: number;
  readonly cells: ScrubCell[];
}

/** Pass 2: each batch planned again as the provider is now, its priors backed up, then applied. */
export async function applyBatches(batches: AsyncIterable<PlannedBatch>, ctx: ApplyContext): Promise<Applied> {
  const cells: ScrubCell[] = [];
  let done = 0;
  let failed = 0;
  let drifted = 0;
  const started = ctx.now();
  for await (const b of batches) {
    drifted += b.plan.items.filter((i) => i.action === "conflict" || i.action === "invalid").length;
    if (ctx.writer.interrupted) {
      const skipped = new Set(b.plan.ops.map((op) => op.name));
      failed += skipped.size;
      ctx.sink.add(b.plan.items.map((i) => (skipped.has(i.name) ? { ...i, action: "failed", error: "not started (interrupted)" } : i)));
      continue;
    }
    await ctx.backup.append({ priors: b.plan.ops.map((op) => priorOf(op.name, b.current)) });
    const first = ctx.withPrevious ? await writePreviousFirst(b.plan.ops, b.desired, ctx) : { ops: b.plan.ops, failed: [] };
    const results = [
      ...first.failed,
      ...(await ctx.writer.applyPlan(first.ops, ctx.store, {
        concurrency: ctx.concurrency,
        onProgress: (n) => ctx.reporter.progress(rateLine("migrating", done + n, ctx.total, ctx.now() - started)),
      })),
    ];
    done += b.plan.ops.length;
    const byName = new Map(results.map((r) => [r.name, r]));
    failed += results.filter((r) => r.status !== "done").length;
    ctx.sink.add(b.plan.items.map((i) => withResult(i, byName.get(i.name))));
    cells.push(...ctx.columns.collect(b.plan, b.desired));
  }
  return { failed, drifted, cells };
}

function withResult(item: RenderedItem, result: StepResult | undefined): RenderedItem {
  if (!result || result.status === "done") return result?.version ? { ...item, version: result.version } : item;
  return { ...item, action: "failed", error: result.status === "not-started" ? "not started (interrupted)" : result.error };
}

const priorOf = (name: string, current: ReadonlyMap<string, { value: string; version: string }>) => {
  const have = current.get(name);
  return have ? { name, existed: true, value: have.value, version: have.version } : { name, existed: false };
};
