import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Creates `dir` (and parents) private to the owner. The state dir holds key material and
 * backups, so an existing dir with group/other bits is tightened rather than trusted.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { mode } = await stat(dir);
  if ((mode & 0o077) !== 0) await chmod(dir, 0o700);
}

/** fsync a directory so a rename or a new file inside it survives a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } catch (e) {
    // Some filesystems refuse fsync on directories; the data itself is already synced.
    if ((e as NodeJS.ErrnoException).code !== "EINVAL") throw e;
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `path` so readers see either the old or the new content, never a torn file:
 * write a sibling temp file, fsync it, rename over the target, fsync the directory.
 */
export async function writeFileAtomic(path: string, data: string | Buffer, mode = 0o600): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  let renamed = false;
  try {
    // 'wx': never follow or reuse an existing file at the temp name.
    const handle = await open(tmp, "wx", mode);
    try {
      await handle.writeFile(data);
      // The umask may have narrowed the mode at creation; make it exact.
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
    renamed = true;
    await fsyncDir(dir);
  } finally {
    if (!renamed) await unlink(tmp).catch(() => undefined);
  }
}

/**
 * Appends `data` and fsyncs before resolving, for logs that must be on disk before the
 * step they describe happens. Creates the file with `mode` if missing.
 */
export async function appendDurable(path: string, data: string | Buffer, mode = 0o600): Promise<void> {
  const handle = await open(path, "a", mode);
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
