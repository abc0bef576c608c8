import { appendFile } from "node:fs/promises";
import { at } from "../sources/origin.js";
import { PROBLEM_ACTIONS, type RenderedItem } from "./render-plan.js";

/** Workflow-command escaping from the Actions toolkit: data and property values differ. */
export const escapeData = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
export const escapeProperty = (s: string) => escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");

const MESSAGES: Record<string, string> = {
  different: "differs from the vault",
  missing: "is missing from the vault",
  conflict: "is in conflict",
  invalid: "cannot be stored",
  failed: "failed",
  "changed-since": "changed after the run and was left alone",
};

/** `::error file=.env,line=12::DB_PASSWORD differs from the vault` — names and reasons, never values. */
export function annotations(items: readonly RenderedItem[]): string[] {
  return items
    .filter((i) => PROBLEM_ACTIONS.has(i.action))
    .map((i) => {
      const isFile = !i.source.startsWith("(") && !i.source.startsWith("run ") && !i.source.includes("[key=");
      const props = isFile ? ` file=${escapeProperty(i.source)}${i.line === undefined ? "" : `,line=${i.line}`}` : "";
      const why = i.error ?? i.reason;
      return `::error${props}::${escapeData(`${i.name} ${MESSAGES[i.action] ?? i.action}${why ? `: ${why}` : ""}`)}`;
    });
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/[\r\n]+/g, " ");

/** A markdown summary for `$GITHUB_STEP_SUMMARY`: counts and the rows that need attention. */
export function stepSummary(title: string, summary: Record<string, number>, items: readonly RenderedItem[]): string {
  const counts =
    Object.entries(summary)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${n} ${k}`)
      .join(", ") || "nothing to do";
  const rows = items.filter((i) => PROBLEM_ACTIONS.has(i.action) || i.action === "create" || i.action === "update").slice(0, 200);
  const table =
    rows.length === 0
      ? []
      : [
          "",
          "| name | action | source | note |",
          "|---|---|---|---|",
          ...rows.map((i) => `| ${cell(i.name)} | ${i.action} | ${cell(at(i))} | ${cell(i.error ?? i.reason ?? "")} |`),
        ];
  return [`### ${title}`, "", counts, ...table, ""].join("\n");
}

export async function appendStepSummary(path: string, markdown: string): Promise<void> {
  await appendFile(path, `${markdown}\n`);
}
