import { createHmac } from "node:crypto";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { writeFileAtomic } from "../core/atomic-file.js";
import { usageError } from "../core/errors.js";
import { describeLocation, type Finding } from "./types.js";

/**
 * A baseline is committed next to the code, so it must say nothing about the values it accepts.
 * Each finding is an HMAC-SHA-256 under a random salt kept in the file itself:
 * - over the rule, the place (file and name, or table, column and row) and the value, when the value
 *   is random (every token format, and generic values that look random): guessing such a value from
 *   the HMAC is hopeless, and a different secret put in the same place is a new finding;
 * - over the rule and the place only, when the value is not random (a weak password): a salted hash
 *   of `hunter2` is a dictionary attack away from `hunter2`, so the value stays out of it.
 * Line numbers stay out where a name identifies the place, so adding lines above does not
 * invalidate a baseline.
 */
const FILE = z.strictObject({
  secretshiftScanBaseline: z.literal(1),
  salt: z.string().regex(/^[A-Za-z0-9_-]{22,}$/),
  accepted: z.array(z.strictObject({ fingerprint: z.string().regex(/^[0-9a-f]{64}$/), rule: z.string(), location: z.string() })),
});

export interface Baseline {
  readonly salt: Buffer;
  readonly accepted: ReadonlySet<string>;
}

export interface Identity {
  readonly rule: string;
  /** `path#name`, `path` or `table.column[key=row]`. */
  readonly place: string;
  readonly value: string;
  readonly random: boolean;
  /** Only used when neither a name nor the value can tell two findings in one file apart. */
  readonly line?: number;
}

export class Fingerprinter {
  private readonly seen = new Map<string, number>();

  constructor(private readonly salt: Buffer) {}

  of(id: Identity): string {
    const parts = JSON.stringify(["v1", id.rule, id.place, id.random ? id.value : null, id.random ? null : (id.line ?? null)]);
    // The same secret twice in one place (a YAML key repeated under two parents) gets two fingerprints.
    const n = this.seen.get(parts) ?? 0;
    this.seen.set(parts, n + 1);
    return createHmac("sha256", this.salt).update(`${parts}#${n}`).digest("hex");
  }
}

export async function readBaseline(path: string, shown: string): Promise<Baseline> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw usageError("BASELINE_NOT_FOUND", `${shown}: no such baseline file`, "create it with `secrets scan --write-baseline <file>`");
    throw usageError("BASELINE_UNREADABLE", `${shown}: cannot be read (${code ?? "unknown error"})`);
  }
  let parsed: z.infer<typeof FILE>;
  try {
    parsed = FILE.parse(JSON.parse(text));
  } catch {
    throw usageError("BASELINE_INVALID", `${shown}: not a secretshift scan baseline`, "write a new one with `secrets scan --write-baseline <file>`");
  }
  return { salt: Buffer.from(parsed.salt, "base64url"), accepted: new Set(parsed.accepted.map((a) => a.fingerprint)) };
}

/** Sorted by location, so a re-written baseline diffs line by line in review. */
export async function writeBaseline(path: string, salt: Buffer, findings: readonly Finding[]): Promise<void> {
  const accepted = findings
    .map((f) => ({ fingerprint: f.fingerprint, rule: f.rule, location: describeLocation(f.location) }))
    .sort((a, b) => a.location.localeCompare(b.location) || a.rule.localeCompare(b.rule) || a.fingerprint.localeCompare(b.fingerprint));
  const document = { secretshiftScanBaseline: 1, salt: salt.toString("base64url"), accepted };
  await writeFileAtomic(path, `${JSON.stringify(document, null, 2)}\n`, 0o644);
}
