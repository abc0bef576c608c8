import type { Skipped } from "./catalog.js";
import type { TableReport } from "./scan-db.js";
import { moveCommand } from "./suggest.js";
import { CONFIDENCES, describeLocation, type Finding } from "./types.js";
import type { Skip } from "./walk.js";

/** Everything one scan found and left out; every format renders this, none of it holds a value. */
export interface ScanReport {
  /** Reported: at or above --min-confidence and not accepted by the baseline; in location order. */
  readonly findings: readonly Finding[];
  readonly provider: string;
  readonly files: { readonly scanned: number; readonly skipped: readonly Skip[] } | undefined;
  readonly database: { readonly tables: readonly TableReport[]; readonly skipped: readonly Skipped[] } | undefined;
  /** Findings the baseline accepts, and baseline entries this scan did not meet. */
  readonly baseline: { readonly path: string; readonly accepted: number; readonly unseen: number } | undefined;
  readonly wroteBaseline: { readonly path: string; readonly count: number } | undefined;
}

export function countBy<T extends string>(items: readonly T[]): Record<T, number> {
  const counts = {} as Record<T, number>;
  for (const item of items) counts[item] = (counts[item] ?? 0) + 1;
  return counts;
}

export function jsonDocument(report: ScanReport): unknown {
  const confidences = countBy(report.findings.map((f) => f.confidence));
  return {
    command: "scan",
    findings: report.findings.map((f) => ({
      rule: f.rule,
      confidence: f.confidence,
      location: describeLocation(f.location),
      ...(f.location.kind === "file"
        ? { file: { path: f.location.path, line: f.location.line, column: f.location.column, endLine: f.location.endLine, endColumn: f.location.endColumn } }
        : { cell: { table: f.location.table, column: f.location.column, keyColumn: f.location.keyColumn, row: f.location.row } }),
      name: f.key ?? null,
      preview: f.preview,
      suggestion: moveCommand(report.provider, f.move),
    })),
    summary: {
      findings: report.findings.length,
      ...Object.fromEntries(CONFIDENCES.map((c) => [c, confidences[c] ?? 0])),
      ...(report.files ? { files: { scanned: report.files.scanned, skipped: countBy(report.files.skipped.map((s) => s.reason)) } } : {}),
      ...(report.database ? { tables: report.database.tables } : {}),
    },
    skipped: {
      ...(report.files ? { files: report.files.skipped } : {}),
      ...(report.database ? { tables: report.database.skipped } : {}),
    },
    ...(report.baseline ? { baseline: report.baseline } : {}),
    ...(report.wroteBaseline ? { baselineWritten: report.wroteBaseline } : {}),
  };
}
