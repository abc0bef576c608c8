import { lstat, open as openFile, readdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { PriorState } from "../providers/types.js";
import { appendDurable, ensurePrivateDir, fsyncDir, lstatOrUndefined, symlinkError } from "./atomic-file.js";
import { open, seal } from "./crypto.js";
import { CliError, ExitCode, usageError } from "./errors.js";
import { settleHeap } from "./heap-governor.js";
import { LineReader } from "./line-reader.js";

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

/** A run's backup frame by frame, each opened and checked as it is read: rollback takes a slice's priors at a time. */
export class BackupFrames {
  private index = 0;

  private constructor(
    private readonly lines: LineReader,
    private readonly runId: string,
    private readonly key: Buffer,
  ) {}

  static async open(stateDir: string, runId: string, key: Buffer): Promise<BackupFrames> {
    const lines = await LineReader.open(backupPath(stateDir, runId));
    if (!lines) throw usageError("BACKUP_NOT_FOUND", `no backup for run ${runId}`, "list backups with `secrets journal`");
    return new BackupFrames(lines, runId, key);
  }

  get read(): number {
    return this.index;
  }

  async next(): Promise<BackupFrame | undefined> {
    // A million-write run's backup is a thousand frames of short-lived objects: the heap is kept in bounds as it goes.
    await settleHeap();
    const line = await this.lines.next();
    if (line === undefined) return undefined;
    const i = this.index++;
    const frame = JSON.parse(open(this.key, line, frameAad(this.runId, i), `backup ${this.runId} (frame ${i + 1})`).toString("utf8"));
    if (!isFrame(frame)) {
      throw new CliError("BACKUP_CORRUPT", `backup ${this.runId} frame ${i + 1} has an unexpected shape`, {
        exitCode: ExitCode.failed,
        hint: "it may come from a newer secretshift; upgrade and retry",
      });
    }
    return frame;
  }

  close(): Promise<void> {
    return this.lines.close();
  }
}

/** Every frame checked; with `priors: false` what rollback needs before it plans (cells, meta), not a run's million priors. */
export async function readBackup(stateDir: string, runId: string, key: Buffer, { priors = true } = {}): Promise<Backup> {
  const frames = await BackupFrames.open(stateDir, runId, key);
  try {
    const backup: Backup = { priors: new Map(), cells: [], meta: {}, frames: 0 };
    for (let frame = await frames.next(); frame; frame = await frames.next()) {
      if (priors) for (const prior of frame.priors) if (!backup.priors.has(prior.name)) backup.priors.set(prior.name, prior);
      backup.cells.push(...(frame.cells ?? []));
      Object.assign(backup.meta, frame.meta);
    }
    backup.frames = frames.read;
    return backup;
  } finally {
    await frames.close();
  }
}

/**
 * The first prior of each name asked for, reading frames only as far as the names need: a run's
 * frames come in the order it wrote, so a rollback in that order holds about one frame ahead.
 */
export class BackupPriors {
  private readonly ahead = new Map<string, PriorState>();
  private frames: Promise<BackupFrames> | undefined;
  private ended = false;

  constructor(private readonly open: () => Promise<BackupFrames>) {}

  async of(names: Iterable<string>): Promise<Map<string, PriorState>> {
    const found = new Map<string, PriorState>();
    for (const name of names) {
      while (!this.ahead.has(name) && !this.ended) await this.readFrame();
      const prior = this.ahead.get(name);
      if (prior) found.set(name, prior);
      this.ahead.delete(name);
    }
    return found;
  }

  async close(): Promise<void> {
    await (await this.frames)?.close();
  }

  private async readFrame(): Promise<void> {
    this.frames ??= this.open();
    const frame = await (await this.frames).next();
    if (!frame) this.ended = true;
    // First per name: a later frame may see the run's own write.
    else for (const prior of frame.priors) if (!this.ahead.has(prior.name)) this.ahead.set(prior.name, prior);
  }
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
