import { type CurrentSecret, holds, type NameCheck, type WriteOp } from "../providers/types.js";
import { at } from "../sources/origin.js";
import type { Origin } from "../sources/types.js";

export type PlanAction = "create" | "update" | "unchanged" | "skip" | "conflict" | "invalid";
export type OnConflict = "overwrite" | "skip" | "fail";

export interface DesiredSecret {
  readonly name: string;
  readonly value: string;
  readonly origin: Origin;
  /** `--with-previous`: written first, so it becomes the target's previous version. */
  readonly previous?: string;
}

/** Holds no value: every view renders these, so none of them can leak one. */
export interface PlanItem {
  readonly name: string;
  readonly action: PlanAction;
  readonly source: string;
  readonly line?: number;
  readonly version?: string;
  readonly reason?: string;
  readonly hint?: string;
  readonly stored?: string;
}

export interface Plan {
  readonly items: PlanItem[];
  /** The only place values travel. */
  readonly ops: WriteOp[];
  readonly blocked: boolean;
}

export interface PlanOptions {
  readonly runId: string;
  readonly onConflict: OnConflict;
  readonly checkName: (name: string) => NameCheck;
  readonly checkValue: (value: string) => string | undefined;
  readonly restoreDeleted?: boolean;
  readonly checkBatch?: (writes: readonly WriteOp[]) => ReadonlyMap<string, string>;
}

/** Each name's definitions, in source order; most names have one. */
export function groupByName(desired: readonly DesiredSecret[]): Map<string, DesiredSecret[]> {
  const byName = new Map<string, DesiredSecret[]>();
  for (const d of desired) {
    const group = byName.get(d.name);
    if (group) group.push(d);
    else byName.set(d.name, [d]);
  }
  return byName;
}

/** Pure: no I/O, and the same inputs always give the same plan. */
export function planMigration(desired: readonly DesiredSecret[], current: ReadonlyMap<string, CurrentSecret>, options: PlanOptions): Plan {
  const byName = groupByName(desired);

  const items: PlanItem[] = [];
  const ops: WriteOp[] = [];
  for (const [name, group] of byName) {
    const want = group[group.length - 1] as DesiredSecret;
    const nameCheck = options.checkName(name);
    // Built field by field, in the order every view prints them: no spread of a fresh object per item.
    const base: { name: string; source: string; line?: number; stored?: string } = { name, source: want.origin.source };
    if (want.origin.line !== undefined) base.line = want.origin.line;
    if (nameCheck.stored !== name) base.stored = nameCheck.stored;
    const item = classify(name, group, want, current.get(name), nameCheck, options);
    items.push(Object.assign(base, item.row));
    if (item.op) ops.push(item.op);
  }
  const refused = ops.length > 0 ? options.checkBatch?.(ops) : undefined;
  if (refused?.size) return refuse(items, ops, refused);
  items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const blocked = items.some((i) => i.action === "invalid" || i.action === "conflict");
  return { items, ops, blocked };
}

function refuse(items: PlanItem[], ops: WriteOp[], refused: ReadonlyMap<string, string>): Plan {
  const rows = items.map((i) => {
    const reason = refused.get(i.name);
    if (reason === undefined || (i.action !== "create" && i.action !== "update")) return i;
    const { version: _version, hint: _hint, ...row } = i;
    return { ...row, action: "invalid" as const, reason };
  });
  rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { items: rows, ops: ops.filter((op) => !refused.has(op.name)), blocked: true };
}

export const EMPTY_REASON = "empty value: not migrated";
const excludeHint = (name: string) => `--exclude '${name}' to leave it out of this run`;

interface Classified {
  readonly row: Omit<PlanItem, "name" | "source" | "line">;
  readonly op?: WriteOp;
}

function classify(
  name: string,
  group: DesiredSecret[],
  want: DesiredSecret,
  have: CurrentSecret | undefined,
  nameCheck: NameCheck,
  options: PlanOptions,
): Classified {
  if (group.length > 1 && new Set(group.map((d) => d.value)).size > 1) {
    const places = group.map((d) => at(d.origin));
    return { row: { action: "conflict", reason: `defined with different values in ${places.join(", ")}`, hint: "keep one definition, or --exclude it" } };
  }
  // An empty value is not a secret: nothing to migrate, and nothing for a provider to refuse.
  if (want.value === "") return { row: { action: "skip", ...(have ? { version: have.version } : {}), reason: EMPTY_REASON } };
  if (nameCheck.invalid) return { row: { action: "invalid", reason: nameCheck.invalid, hint: excludeHint(name) } };
  const valueRule = options.checkValue(want.value);
  if (valueRule) return { row: { action: "invalid", reason: valueRule, hint: excludeHint(name) } };

  if (have?.deleted && options.restoreDeleted) {
    return {
      row: { action: "update", version: have.version, reason: "restored from scheduled deletion first" },
      op: { kind: "update", name, value: want.value, expectedVersion: have.version, runId: options.runId },
    };
  }
  if (have?.deleted) {
    return {
      row: {
        action: "conflict",
        version: have.version,
        reason: "scheduled for deletion in the provider",
        hint: have.hint ?? "restore it first (--restore-deleted / --recover-deleted)",
      },
    };
  }
  if (!have) {
    return { row: { action: "create" }, op: { kind: "create", name, value: want.value, runId: options.runId } };
  }
  if (holds(have, want.value)) return { row: { action: "unchanged", version: have.version } };
  if (options.onConflict === "skip") return { row: { action: "skip", version: have.version, reason: "value differs; --on-conflict skip" } };
  if (options.onConflict === "fail") {
    return {
      row: {
        action: "conflict",
        version: have.version,
        reason: "the provider holds a different value",
        hint: "--on-conflict overwrite to replace it, or skip",
      },
    };
  }
  return {
    row: { action: "update", version: have.version },
    op: { kind: "update", name, value: want.value, expectedVersion: have.version, runId: options.runId },
  };
}
