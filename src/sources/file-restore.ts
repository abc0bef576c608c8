import { lstat, readFile } from "node:fs/promises";
import type { Writer } from "../core/apply.js";
import { writeFileAtomic } from "../core/atomic-file.js";
import type { Backup } from "../core/backup.js";
import type { Reporter } from "../ui/reporter.js";
import { FILE_META, type ScrubbedFile, sha256 } from "./file-scrub.js";

export interface FilesReport {
  readonly restore: number;
  readonly restored?: number;
  readonly already?: number;
  readonly changedSince?: number;
}

export const scrubbedFilesOf = (backup: Backup): ScrubbedFile[] =>
  Object.entries(backup.meta)
    .filter(([k]) => k.startsWith(FILE_META))
    .map(([, v]) => JSON.parse(v) as ScrubbedFile);

/**
 * A file goes back, byte for byte, only while it holds exactly what scrub wrote; one edited since
 * is left alone (`changed-since`), as a vault value or a cell would be. No start after a Ctrl-C.
 */
export async function restoreScrubbedFiles(files: readonly ScrubbedFile[], run: { writer: Writer; reporter: Reporter }): Promise<FilesReport> {
  let restored = 0;
  let already = 0;
  let changedSince = 0;
  for (const file of files) {
    if (run.writer.interrupted) break;
    const before = Buffer.from(file.before, "base64");
    const now = await readFile(file.path).catch(() => undefined);
    if (now?.equals(before)) {
      already++;
      continue;
    }
    if (now === undefined || sha256(now) !== file.afterSha256) {
      changedSince++;
      run.reporter.warn(`${file.path} ${now === undefined ? "is gone" : "changed after the scrub"}; left alone`);
      continue;
    }
    const mode = (await lstat(file.path)).mode & 0o7777;
    await run.writer.transaction({ action: "restore-file", data: { file: file.path }, started: {} }, async () => {
      await writeFileAtomic(file.path, before, mode);
      return { result: undefined, data: {} };
    });
    restored++;
  }
  return { restore: files.length, restored, already, changedSince };
}
