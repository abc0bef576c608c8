import { table } from "../ui/table.js";
import { countBy, type ScanReport } from "./report.js";
import { movePlan } from "./suggest.js";
import { CONFIDENCES, type Confidence, describeLocation } from "./types.js";

type Paint = (s: string) => string;
export interface Palette {
  readonly red: Paint;
  readonly yellow: Paint;
  readonly dim: Paint;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The table of findings, the commands that move them, and one summary line: stdout in human mode. */
export function humanReport(report: ScanReport, paint: Palette): string {
  const out: string[] = [];
  if (report.findings.length > 0) {
    const tint: Record<Confidence, Paint> = { high: paint.red, medium: paint.yellow, low: paint.dim };
    const rows = report.findings.map((f) => [f.confidence, f.rule, describeLocation(f.location), f.key ?? "", f.preview]);
    out.push(table(["CONFIDENCE", "RULE", "LOCATION", "NAME", "VALUE"], rows, (col, cell) => (col === 0 ? tint[cell.trim() as Confidence](cell) : cell)));
    const plan = movePlan(report.provider, report.findings);
    if (plan.commands.length > 0) out.push("", "Move them with:", ...plan.commands.map((c) => `  ${c}`));
    if (plan.afterHand) {
      out.push("", "Move these into .env by hand first (migrate reads .env, JSON and YAML files and columns, not these):");
      out.push(...plan.byHand.map((b) => `  ${b.location} as ${b.name}`), `then: ${plan.afterHand}`);
    }
    out.push("");
  }
  out.push(summaryLine(report));
  return out.join("\n");
}

export function summaryLine(report: ScanReport): string {
  const parts: string[] = [];
  const n = report.findings.length;
  const counts = countBy(report.findings.map((f) => f.confidence));
  const split = CONFIDENCES.filter((c) => counts[c]).map((c) => `${counts[c]} ${c}`);
  parts.push(n === 0 ? "no plaintext secrets found" : `${plural(n, "finding")} (${split.join(", ")})`);
  if (report.files) {
    const skipped = Object.entries(countBy(report.files.skipped.map((s) => s.reason))).map(([reason, count]) => `${count} ${reason}`);
    parts.push(`${plural(report.files.scanned, "file")} scanned${skipped.length ? `, skipped ${skipped.join(", ")}` : ""}`);
  }
  if (report.database) {
    const cells = report.database.tables.reduce((sum, t) => sum + t.cells, 0);
    const sampled = report.database.tables.filter((t) => t.sampled).map((t) => t.table);
    const skipped = report.database.skipped.length ? `, ${report.database.skipped.length} skipped` : "";
    parts.push(
      `${plural(report.database.tables.length, "table")}${skipped}, ${plural(cells, "cell")}${sampled.length ? ` (sampled: ${sampled.join(", ")})` : ""}`,
    );
  }
  if (report.baseline) parts.push(`${report.baseline.accepted} accepted by ${report.baseline.path}`);
  if (report.wroteBaseline) parts.push(`baseline ${report.wroteBaseline.path} written with ${plural(report.wroteBaseline.count, "finding")}`);
  return parts.join(" · ");
}
