import { at } from "../sources/origin.js";
import type { Reporter } from "./reporter.js";
import { table } from "./table.js";
import type { Theme } from "./theme.js";

export interface RenderedItem {
  readonly name: string;
  readonly action: string;
  readonly source: string;
  readonly line?: number;
  readonly version?: string;
  readonly reason?: string;
  readonly hint?: string;
  readonly error?: string;
  /** Human view only, never in JSON. */
  readonly preview?: string;
  readonly stored?: string;
}

const ORDER = ["create", "update", "unchanged", "skip", "conflict", "invalid", "failed"] as const;

export function summaryLine(summary: Record<string, number>): string {
  return (
    ORDER.filter((k) => (summary[k] ?? 0) > 0)
      .map((k) => `${summary[k]} ${k}`)
      .join(", ") || "nothing to do"
  );
}

export const PROBLEM_ACTIONS: ReadonlySet<string> = new Set(["conflict", "invalid", "failed", "missing", "different", "changed-since"]);

/** `limit` keeps a million-row run from flooding a terminal. */
export function renderItems(reporter: Reporter, items: readonly RenderedItem[], total = items.length, limit = 200): void {
  if (items.length === 0) return;
  const shown = items.slice(0, limit);
  reporter.out(planTable(reporter.paint, shown));
  if (total > shown.length) reporter.out(`… and ${total - shown.length} more (use --json for the full list)`);
}

export function planTable(paint: Theme, items: readonly RenderedItem[]): string {
  const colour = (action: string) => (PROBLEM_ACTIONS.has(action) ? paint.red : action === "unchanged" || action === "extra" ? paint.dim : paint.green);
  const rows = items.map((i) => [i.name, i.action, at(i), i.preview ?? "", i.error ?? i.reason ?? (i.stored === undefined ? "" : `stored as ${i.stored}`)]);
  return table(["NAME", "ACTION", "SOURCE", "VALUE", "NOTE"], rows, (col, cell) => (col === 1 ? colour(cell.trim())(cell) : cell));
}

/** Never a value, never a hash of one. */
export function jsonItem(i: RenderedItem): Record<string, unknown> {
  return {
    name: i.name,
    action: i.action,
    source: at(i),
    ...(i.version === undefined ? {} : { version: i.version }),
    ...(i.stored === undefined ? {} : { stored: i.stored }),
    ...(problem(i) === undefined ? {} : { error: problem(i) }),
    // Why something was left out (an empty value, --on-conflict skip) is not an error but still worth saying.
    ...(i.action === "skip" && i.reason !== undefined ? { reason: i.reason } : {}),
  };
}

const problem = (i: RenderedItem): string | undefined => i.error ?? (PROBLEM_ACTIONS.has(i.action) ? i.reason : undefined);
