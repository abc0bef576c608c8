import { lstat, open as openFile, readdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { PriorState } from "../providers/types.js";
import { appendDurable, ensurePrivateDir, fsyncDir, lstatOrUndefined, readNoFollow, symlinkError } from "./atomic-file.js";
import { open, seal } from "./crypto.js";
import { CliError, ExitCode, usageError } from "./errors.js";

export interface ScrubbedCell {
  table: string;
  column: string;
  key: string;
  value: string | null;
  /** Rollback restores only cells still holding it. */
  replacement?: string | null;
}

export interface BackupFrame {
  priors: PriorState[];
  cells?: ScrubbedCell[];
  meta?: Record<string, string>;
}

export interface Backup {
  /** First per name: later frames may see the run's own writes. */
  priors: Map<string, PriorState>;
  cells: ScrubbedCell[];
  meta: Record<string, string>;
  frames: number;
}

export const backupsDir = (stateDir: string) => join(stateDir, "backups");

export function backupPath(stateDir: string, runId: string): string {
  // The run id comes from the command line on rollback: keep it from naming a path outside backups/.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(runId)) {
    throw usageError("INVALID_RUN_ID", `"${runId}" is not a valid run id`, "run ids are listed by `secrets journal`");
  }
  return join(backupsDir(stateDir), `${runId}.enc`);
}

/** So frames cannot be reordered or moved between backups. */
const frameAad = (runId: string, index: number) => `backup:${runId}:${index}`;

export class BackupWriter {
  private frames = 0;
  private tail: Promise<void> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private readonly runId: string,
    private readonly key: Buffer,
  ) {}

  static async create(stateDir: string, runId: string, key: Buffer): Promise<BackupWriter> {
    const path = backupPath(stateDir, runId);
    await ensurePrivateDir(backupsDir(stateDir));
    // 'wx': a second writer for the same run would interleave frame indices and make both unreadable.
    const handle = await openFile(path, "wx", 0o600).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== "EEXIST") throw e;
      throw new CliError("BACKUP_EXISTS", `a backup for run ${runId} already exists`, {
        exitCode: ExitCode.failed,
        hint: "run ids are unique per run; start a new run",
      });
    });
    await handle.chmod(0o600);
    await handle.close();
    await fsyncDir(backupsDir(stateDir));
    return new BackupWriter(path, runId, key);
  }

  append(frame: BackupFrame): Promise<void> {
    const index = this.frames++;
    const line = `${seal(this.key, JSON.stringify(frame), frameAad(this.runId, index))}\n`;
    const done = this.tail.then(() => appendDurable(this.path, line));
    // A failed frame must fail every later one too: a gap would shift the indices.
    this.tail = done;
    return done;
  }
}

export async function readBackup(stateDir: string, runId: string, key: Buffer): Promise<Backup> {
  const path = backupPath(stateDir, runId);
  const bytes = await readNoFollow(path);
  if (bytes === undefined) throw usageError("BACKUP_NOT_FOUND", `no backup for run ${runId}`, "list backups with `secrets journal`");
  const text = bytes.toString("utf8");
  const lines = text.split("\n");
  // Text after the last newline is a frame whose append never returned: that batch was never written.
  lines.pop();
  const backup: Backup = { priors: new Map(), cells: [], meta: {}, frames: lines.length };
  for (const [i, line] of lines.entries()) {
    const frame = JSON.parse(open(key, line, frameAad(runId, i), `backup ${runId} (frame ${i + 1})`).toString("utf8"));
    if (!isFrame(frame)) {
      throw new CliError("BACKUP_CORRUPT", `backup ${runId} frame ${i + 1} has an unexpected shape`, {
        exitCode: ExitCode.failed,
        hint: "it may come from a newer secretshift; upgrade and retry",
      });
    }
    for (const prior of frame.priors) if (!backup.priors.has(prior.name)) backup.priors.set(prior.name, prior);
    backup.cells.push(...(frame.cells ?? []));
    Object.assign(backup.meta, frame.meta);
  }
  return backup;
}

function isFrame(v: unknown): v is BackupFrame {
  const f = v as Partial<BackupFrame> | null;
  return typeof f === "object" && f !== null && Array.isArray(f.priors) && (f.cells === undefined || Array.isArray(f.cells));
}

export async function listBackups(stateDir: string): Promise<{ runId: string; path: string; mtime: Date }[]> {
  if ((await lstatOrUndefined(backupsDir(stateDir)))?.isSymbolicLink()) throw symlinkError(backupsDir(stateDir));
  const names = await readdir(backupsDir(stateDir)).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return [] as string[];
    throw e;
  });
  const found = await Promise.all(
    names
      .filter((n) => n.endsWith(".enc"))
      .map(async (n) => {
        const path = join(backupsDir(stateDir), n);
        return { runId: n.slice(0, -".enc".length), path, mtime: (await lstat(path)).mtime };
      }),
  );
  return found.sort((a, b) => a.mtime.getTime() - b.mtime.getTime());
}

export async function removeBackup(stateDir: string, runId: string): Promise<boolean> {
  try {
    await unlink(backupPath(stateDir, runId));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw e;
  }
}
