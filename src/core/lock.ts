import { randomBytes } from "node:crypto";
import { link, lstat, open, readFile, rename, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { symlinkError } from "./atomic-file.js";
import { CliError, ExitCode } from "./errors.js";

export interface LockOptions {
  /** Recorded in the lock, so a second run can say what it is waiting for. */
  command?: string;
  /** Called at each poll while another run holds the lock. */
  onWait?: (holder: Holder | undefined) => void;
  waitMs?: number;
  pollMs?: number;
  clock?: { sleep(ms: number): Promise<void> };
}

export interface Holder {
  pid: number;
  hostname: string;
  startedAt: string;
  command?: string;
}

const UNPARSABLE_GRACE_MS = 5000;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** O_EXCL; a lock left by a dead process on this host is recovered, otherwise waits up to `waitMs`. */
export async function acquireLock(path: string, options: LockOptions = {}): Promise<() => Promise<void>> {
  const { waitMs = 10000, pollMs = 100, clock = { sleep: realSleep } } = options;
  const me: Holder = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), ...(options.command ? { command: options.command } : {}) };
  const text = `${JSON.stringify(me)}\n`;
  // Time is counted in polls, not wall time, so a fake clock gives deterministic tests.
  for (let waited = 0; ; waited += pollMs) {
    const ino = await tryCreate(path, text);
    if (ino !== undefined) return releaser(path, text, ino);
    const { holder, stale } = await inspect(path);
    if (stale && (await removeStale(path, stale))) continue;
    if (holder === "gone") continue; // released between our create and our read
    if (waited >= waitMs) throw lockedError(path, holder);
    options.onWait?.(holder);
    await clock.sleep(pollMs);
  }
}

async function tryCreate(path: string, text: string): Promise<number | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "wx", 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return undefined;
    throw e;
  }
  try {
    await handle.writeFile(text);
    await handle.sync();
    return (await handle.stat()).ino;
  } finally {
    await handle.close();
  }
}

type Inspection = { holder: Holder | "gone" | undefined; stale?: { ino: number } };

async function inspect(path: string): Promise<Inspection> {
  let text: string;
  let info: Awaited<ReturnType<typeof lstat>>;
  try {
    info = await lstat(path);
    // A planted symlink is not a lock anyone holds, and it is never read through.
    if (info.isSymbolicLink()) throw symlinkError(path);
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { holder: "gone" };
    throw e;
  }
  const holder = parseHolder(text);
  if (holder === undefined) {
    const old = Date.now() - info.mtimeMs > UNPARSABLE_GRACE_MS;
    return { holder, stale: old ? { ino: info.ino } : undefined };
  }
  // A pid on another host means nothing here (shared filesystem): never judge it stale.
  const dead = holder.hostname === hostname() && !isAlive(holder.pid);
  return { holder, stale: dead ? { ino: info.ino } : undefined };
}

/** Renamed aside first: only one recoverer's rename succeeds; a file replaced meanwhile goes back. */
async function removeStale(path: string, judged: { ino: number }): Promise<boolean> {
  const aside = `${path}.stale-${randomBytes(6).toString("hex")}`;
  try {
    await rename(path, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw e;
  }
  if ((await lstat(aside)).ino !== judged.ino) {
    // link() never overwrites: if a third run got in meanwhile, the live lock we moved loses.
    await link(aside, path).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
  return true;
}

function releaser(path: string, text: string, ino: number): () => Promise<void> {
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    try {
      const info = await lstat(path);
      const current = info.isSymbolicLink() ? "" : await readFile(path, "utf8");
      // Only remove the file we created: another run may have recovered it as stale.
      if (info.ino === ino && current === text) await unlink(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  };
}

function parseHolder(text: string): Holder | undefined {
  try {
    const v = JSON.parse(text) as Partial<Holder>;
    if (typeof v.pid === "number" && typeof v.hostname === "string" && typeof v.startedAt === "string") {
      return { pid: v.pid, hostname: v.hostname, startedAt: v.startedAt, ...(typeof v.command === "string" ? { command: v.command } : {}) };
    }
  } catch {}
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/** `waiting for pid 31652 (migrate, started 12 s ago)…` */
export function waitingLine(holder: Holder | undefined, now: number): string {
  if (holder === undefined) return "waiting for the state lock…";
  const age = Math.max(0, Math.round((now - Date.parse(holder.startedAt)) / 1000));
  const where = holder.hostname === hostname() ? "" : ` on ${holder.hostname}`;
  return `waiting for pid ${holder.pid}${where} (${holder.command ? `${holder.command}, ` : ""}started ${age} s ago)…`;
}

function lockedError(path: string, holder: Holder | undefined): CliError {
  const who = holder === undefined ? "" : ` (pid ${holder.pid}${holder.hostname === hostname() ? "" : ` on ${holder.hostname}`})`;
  return new CliError("LOCKED", `another secretshift run${who} is using ${dirname(path)}`, {
    exitCode: ExitCode.failed,
    hint: `wait for it to finish; if no run is active, delete ${path}`,
  });
}
