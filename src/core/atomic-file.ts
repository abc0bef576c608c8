import { randomBytes } from "node:crypto";
import { closeSync, constants, lstatSync, openSync, readFileSync } from "node:fs";
import { chmod, lstat, mkdir, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { CliError, ExitCode } from "./errors.js";

// Windows has no O_NOFOLLOW; there the lstat checks below are the only guard.
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/** A cloned repository could plant `.secrets/journal.jsonl -> ~/.bashrc` and have a live run append to it. */
export function symlinkError(path: string): CliError {
  return new CliError("STATE_SYMLINK", `refusing to use ${path}: it is a symbolic link, and secretshift never follows links in its state folder`, {
    exitCode: ExitCode.usage,
    hint: `remove the link (\`rm ${path}\`) and run again; state files must be regular files and folders owned by you`,
  });
}

const refuseLoop = (path: string) => (e: NodeJS.ErrnoException) => {
  throw e.code === "ELOOP" ? symlinkError(path) : e;
};

/** Private to the owner: an existing dir with group/other bits is tightened, not trusted; a symlink is refused first. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  if ((await lstatOrUndefined(dir)) === undefined) await mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await lstatOrUndefined(dir);
  if (info?.isSymbolicLink()) throw symlinkError(dir);
  if (info && !info.isDirectory()) throw new CliError("STATE_NOT_A_FOLDER", `${dir} exists and is not a folder`, { exitCode: ExitCode.usage });
  if (info && (info.mode & 0o077) !== 0) await chmod(dir, 0o700);
}

const STATE_ENTRIES = ["key", "journal.jsonl", "journal.head", "store.enc", "store.enc.lock", "lock", "backups"];

/**
 * One clear refusal up front when the state folder, or anything in it, is a symlink. Synchronous, as
 * are the other reads of a few bytes at a run's start: eight lstat calls through the thread pool
 * cost a command ~0.6 ms more in hand-offs than the calls themselves.
 */
export function refuseStateLinks(stateDir: string): void {
  if (lstatSyncOrUndefined(stateDir)?.isSymbolicLink()) throw symlinkError(stateDir);
  for (const entry of STATE_ENTRIES) {
    const path = join(stateDir, entry);
    if (lstatSyncOrUndefined(path)?.isSymbolicLink()) throw symlinkError(path);
  }
}

const lstatSyncOrUndefined = (path: string) => lstatSync(path, { throwIfNoEntry: false });

export async function lstatOrUndefined(path: string) {
  try {
    return await lstat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** For reading: undefined when there is no file, a symlink refused, never read through. */
export async function openNoFollow(path: string): Promise<Awaited<ReturnType<typeof open>> | undefined> {
  try {
    return await open(path, constants.O_RDONLY | NOFOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return refuseLoop(path)(e as NodeJS.ErrnoException);
  }
}

export async function readNoFollow(path: string): Promise<Buffer | undefined> {
  const handle = await openNoFollow(path);
  if (!handle) return undefined;
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** openNoFollow's synchronous twin: a descriptor, or undefined when there is no file; a symlink refused. */
export function openSyncNoFollow(path: string): number | undefined {
  try {
    return openSync(path, constants.O_RDONLY | NOFOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return refuseLoop(path)(e as NodeJS.ErrnoException);
  }
}

/** readNoFollow for a file of a few bytes (a key, the journal's head), read at once. */
export function readSmallNoFollow(path: string): Buffer | undefined {
  const fd = openSyncNoFollow(path);
  if (fd === undefined) return undefined;
  try {
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY | NOFOLLOW).catch(refuseLoop(dir));
  try {
    await handle.sync();
  } catch (e) {
    // Some filesystems refuse fsync on directories; the data itself is already synced.
    if ((e as NodeJS.ErrnoException).code !== "EINVAL") throw e;
  } finally {
    await handle.close();
  }
}

/** Readers see the old or the new content, never a torn file: temp file, fsync, rename, fsync the directory. */
/** Parts are written one after another, so a large file need not be joined in memory first. */
export async function writeFileAtomic(path: string, data: FileData, mode = 0o600): Promise<void> {
  if ((await lstatOrUndefined(path))?.isSymbolicLink()) throw symlinkError(path);
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  let renamed = false;
  try {
    // 'wx' (O_CREAT|O_EXCL): never follow or reuse an existing file or link at the temp name.
    await fillAndClose(await open(tmp, "wx", mode), data, mode);
    await rename(tmp, path);
    renamed = true;
    await fsyncDir(dir);
  } finally {
    if (!renamed) await unlink(tmp).catch(() => undefined);
  }
}

/** Durable before it resolves, for logs that must be on disk before the step they describe happens. */
export async function appendDurable(path: string, data: string | Buffer, mode = 0o600): Promise<void> {
  const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | NOFOLLOW;
  const handle = await open(path, flags, mode).catch(refuseLoop(path));
  let fresh = false;
  try {
    fresh = (await handle.stat()).size === 0;
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  // A newly created file's directory entry must be durable too, or a crash can lose the file.
  if (fresh) await fsyncDir(dirname(path));
}

/** Cuts whatever lies past `at` (a torn earlier append), writes there and syncs: the file's end is known, never assumed. */
export async function writeAtEnd(path: string, at: number, data: string): Promise<void> {
  const handle = await open(path, constants.O_WRONLY | NOFOLLOW).catch(refuseLoop(path));
  try {
    await handle.truncate(at);
    await handle.write(data, at, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** O_EXCL also refuses a symlink there, dangling or not. */
export async function createExclusive(path: string, data: string | Buffer, mode = 0o600): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "wx", mode);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    if ((await lstatOrUndefined(path))?.isSymbolicLink()) throw symlinkError(path);
    return false;
  }
  await fillAndClose(handle, data, mode);
  return true;
}

/** The exact mode, whatever the umask narrowed. */
/** Parts, possibly produced as they are written (a compaction streams the store it rewrites). */
export type FileData = string | Buffer | Iterable<string> | AsyncIterable<string>;

async function fillAndClose(handle: Awaited<ReturnType<typeof open>>, data: FileData, mode: number): Promise<void> {
  try {
    if (typeof data === "string" || Buffer.isBuffer(data)) await handle.writeFile(data);
    else await writeBuffered(handle, data);
    await handle.chmod(mode);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Small parts gathered to about 1 MiB per write: a compaction yields one part per line. */
async function writeBuffered(handle: Awaited<ReturnType<typeof open>>, parts: Iterable<string> | AsyncIterable<string>): Promise<void> {
  let pending: string[] = [];
  let size = 0;
  for await (const part of parts) {
    pending.push(part);
    size += part.length;
    if (size >= 1 << 20) {
      await handle.writeFile(pending.join(""));
      pending = [];
      size = 0;
    }
  }
  if (pending.length > 0) await handle.writeFile(pending.join(""));
}
