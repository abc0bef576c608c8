import { createHash } from "node:crypto";
import { pathToFileURL } from "node:url";
import type { ScanReport } from "./report.js";
import { RULES } from "./rules.js";
import { moveCommand } from "./suggest.js";
import { type Confidence, describeLocation, type Finding } from "./types.js";

const LEVEL: Record<Confidence, "error" | "warning" | "note"> = { high: "error", medium: "warning", low: "note" };
/** GitHub code scanning reads `security-severity` (7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low). */
const SEVERITY: Record<Confidence, string> = { high: "8.0", medium: "5.0", low: "2.0" };
const PRECISION: Record<Confidence, string> = { high: "high", medium: "medium", low: "low" };

/** A path as a relative URI reference: each segment percent-encoded, so spaces and `#` survive. */
const uriOf = (path: string) => path.split("/").map(encodeURIComponent).join("/");

function location(f: Finding) {
  if (f.location.kind === "cell") return { logicalLocations: [{ fullyQualifiedName: describeLocation(f.location), kind: "member" }] };
  const { path, line, column, endLine, endColumn } = f.location;
  return {
    physicalLocation: {
      artifactLocation: { uri: uriOf(path), uriBaseId: "%SRCROOT%" },
      region: { startLine: line, startColumn: column, endLine, endColumn },
    },
  };
}

/**
 * SARIF 2.1.0 for code-scanning upload. A finding's partial fingerprint hashes its rule and place
 * only (never the value), so an alert keeps its identity across runs. Database cells have no file:
 * they carry a logical location (`table.column[key=…]`).
 */
export function sarifDocument(report: ScanReport, version: string, cwd: string): unknown {
  const index = new Map(RULES.map((r, i) => [r.id, i]));
  return {
    $schema: "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "secretshift",
            semanticVersion: version,
            rules: RULES.map((r) => ({
              id: r.id,
              name: r.title,
              shortDescription: { text: r.title },
              fullDescription: { text: r.description },
              help: { text: `Move the value into a vault with \`secrets migrate\`, then rotate it: it has been stored in plaintext.` },
              defaultConfiguration: { level: LEVEL[r.confidence] },
              properties: { tags: ["security", "secrets"], precision: PRECISION[r.confidence], "security-severity": SEVERITY[r.confidence] },
            })),
          },
        },
        originalUriBaseIds: { "%SRCROOT%": { uri: `${pathToFileURL(cwd).href}/` } },
        columnKind: "utf16CodeUnits",
        invocations: [{ executionSuccessful: true }],
        results: report.findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: index.get(f.rule) ?? -1,
          level: LEVEL[f.confidence],
          message: {
            text: `${RULES[index.get(f.rule) ?? 0]?.title ?? f.rule}${f.key ? ` in ${f.key}` : ""} (${f.confidence} confidence): ${f.preview}. Move it: ${moveCommand(report.provider, f.move)}`,
          },
          locations: [location(f)],
          partialFingerprints: {
            "secretshift/v1": createHash("sha256")
              .update(JSON.stringify([f.rule, describeLocation(f.location), f.key ?? null]))
              .digest("hex"),
          },
          properties: { confidence: f.confidence },
        })),
      },
    ],
  };
}
