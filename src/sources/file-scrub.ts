import { createHash } from "node:crypto";
import { lstat, readFile } from "node:fs/promises";
import type { Writer } from "../core/apply.js";
import { writeFileAtomic } from "../core/atomic-file.js";
import type { BackupWriter } from "../core/backup.js";
import { describeError } from "../core/describe-error.js";
import type { DesiredSecret, Plan } from "../core/plan.js";
import type { Reporter } from "../ui/reporter.js";
import { type FileScrubMode, type MigratedLine, scrubDotenvText } from "./dotenv-scrub.js";
import { FileSource } from "./file-source.js";
import { scrubStructuredText } from "./structured-scrub.js";
import type { SecretSource } from "./types.js";

/** Backup meta key of one scrubbed file: its previous bytes and the digest of what scrub wrote. */
export const FILE_META = "scrub.file:";
const MIGRATED = new Set(["create", "update", "unchanged"]);

export interface ScrubbedFile {
  readonly path: string;
  /** base64 */
  readonly before: string;
  readonly afterSha256: string;
}

export const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/** `--scrub reference|remove` on `.env`, YAML and JSON files: after a run in which every vault write succeeded. */
export class FileScrub {
  /** Per file, by line and name: a minified JSON file holds every key on one line. */
  private readonly lines = new Map<string, Map<string, MigratedLine>>();

  constructor(
    private readonly files: readonly FileSource[],
    private readonly mode: FileScrubMode,
    private readonly reference: (name: string) => string,
    private readonly reporter: Reporter,
  ) {}

  static fileSources(sources: readonly SecretSource[]): FileSource[] {
    return sources.filter((s): s is FileSource => s instanceof FileSource);
  }

  /** Counts (and remembers) the lines a successful run would scrub. */
  planned(plan: Plan, desired: readonly DesiredSecret[]): number {
    const migrated = new Set(plan.items.filter((i) => MIGRATED.has(i.action)).map((i) => i.name));
    let n = 0;
    for (const d of desired) {
      const lines = this.lines.get(d.origin.source) ?? new Map<string, MigratedLine>();
      if (!this.files.some((f) => f.label === d.origin.source) || d.origin.line === undefined || !migrated.has(d.name)) continue;
      lines.set(`${d.origin.line}:${d.name}`, { line: d.origin.line, value: d.value, reference: this.reference(d.name) });
      this.lines.set(d.origin.source, lines);
      n++;
    }
    return n;
  }

  /** Each file is one journalled unit: previous bytes into the backup first, then one atomic rename. */
  async afterRun(run: { writer: Writer; backup: BackupWriter }): Promise<{ scrubbed: number; failed: boolean }> {
    let scrubbed = 0;
    let failed = false;
    for (const file of this.files) {
      const lines = [...(this.lines.get(file.label)?.values() ?? [])];
      if (lines.length === 0) continue;
      try {
        scrubbed += await this.scrubFile(file, lines, run);
      } catch (e) {
        if (run.writer.journalBroken) throw e;
        failed = true;
        this.reporter.warn(`${file.label}: not scrubbed: ${describeError(e)}`);
      }
    }
    return { scrubbed, failed };
  }

  private async scrubFile(file: FileSource, lines: MigratedLine[], run: { writer: Writer; backup: BackupWriter }): Promise<number> {
    const info = await lstat(file.path);
    if (info.isSymbolicLink()) throw new Error("it is a symbolic link; scrub the file it points to by hand");
    const before = await readFile(file.path);
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(before);
    const result = file.format === "dotenv" ? scrubDotenvText(text, lines, this.mode) : scrubStructuredText(text, lines, this.mode, file.format);
    for (const s of result.skipped) this.reporter.warn(`${file.label}: ${s.key} not scrubbed: ${s.why}`);
    if (result.keys.length === 0) return 0;
    const after = Buffer.from(result.text, "utf8");
    const record: ScrubbedFile = { path: file.path, before: before.toString("base64"), afterSha256: sha256(after) };
    await run.backup.append({ priors: [], meta: { [`${FILE_META}${file.path}`]: JSON.stringify(record) } });
    const unit = { action: "scrub-file", data: { file: file.label, mode: this.mode }, started: { lines: result.keys.length }, failed: { lines: 0 } };
    await run.writer.transaction(unit, async () => {
      await writeFileAtomic(file.path, after, info.mode & 0o7777);
      return { result: undefined, data: { lines: result.keys.length } };
    });
    this.reporter.info(
      `${file.label}: ${this.mode === "remove" ? "removed" : "replaced by references"} ${result.keys.length} ${file.format === "dotenv" ? "line(s)" : "key(s)"}`,
    );
    return result.keys.length;
  }
}
