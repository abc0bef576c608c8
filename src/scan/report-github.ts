import { escapeData, escapeProperty } from "../ui/github.js";
import type { ScanReport } from "./report.js";
import { moveCommand } from "./suggest.js";
import { type Confidence, describeLocation } from "./types.js";

const COMMAND: Record<Confidence, string> = { high: "error", medium: "warning", low: "notice" };

/**
 * GitHub Actions workflow commands, one per finding: `::error file=.env,line=3,col=9,…::…`.
 * A database cell has no file, so its annotation names the cell in the message instead.
 */
export function githubAnnotations(report: ScanReport): string[] {
  return report.findings.map((f) => {
    const l = f.location;
    const where = l.kind === "file" ? `file=${escapeProperty(l.path)},line=${l.line},col=${l.column},endLine=${l.endLine},endColumn=${l.endColumn},` : "";
    const message = `${l.kind === "cell" ? `${describeLocation(l)}: ` : ""}${f.key ? `${f.key} holds ` : ""}a plaintext secret: ${f.preview} (${f.confidence} confidence). Move it: ${moveCommand(report.provider, f.move)}`;
    return `::${COMMAND[f.confidence]} ${where}title=${escapeProperty(`secret: ${f.rule}`)}::${escapeData(message)}`;
  });
}
