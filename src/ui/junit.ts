import type { RenderedItem } from "./render-plan.js";

const xml = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    // XML 1.0 cannot carry most control characters at all, even escaped.
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, "");

const FAILING = new Set(["missing", "different", "conflict", "invalid", "failed"]);

/** One test case per secret, the shape GitLab, Jenkins and Azure DevOps all read. */
export function junitReport(suite: string, items: readonly RenderedItem[], exact: boolean, seconds: number): string {
  const fails = (i: RenderedItem) => FAILING.has(i.action) || (exact && i.action === "extra");
  const failures = items.filter(fails).length;
  const cases = items.map((i) => {
    const open = `    <testcase classname="${xml(suite)}" name="${xml(i.name)}" file="${xml(i.source)}"${i.line === undefined ? "" : ` line="${i.line}"`}`;
    if (fails(i)) return `${open}>\n      <failure message="${xml(`${i.action}: ${i.reason ?? i.error ?? ""}`)}" type="${xml(i.action)}"/>\n    </testcase>`;
    if (i.action === "extra" || i.action === "skip") return `${open}>\n      <skipped message="${xml(i.reason ?? "")}"/>\n    </testcase>`;
    return `${open}/>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="secretshift" tests="${items.length}" failures="${failures}" time="${seconds.toFixed(3)}">`,
    `  <testsuite name="${xml(suite)}" tests="${items.length}" failures="${failures}" errors="0" time="${seconds.toFixed(3)}">`,
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}
