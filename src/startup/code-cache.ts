import { lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Script } from "node:vm";

/**
 * V8's compiled code for the bundle's files, kept between runs: Node 20 has no compile cache of its
 * own, and Node 22+'s keeps only what was compiled before a file ran, not the functions compiled
 * lazily while it ran (most of a run's compiling). V8 checks its version, its flags and the source's
 * length before using one; the header adds the build's hash, the file's size and its mtime, so a
 * cache of another build or of an edited file is never used. A cache is code: it is read only from a
 * directory of our own that no one else can write.
 */
export interface CodeCache {
  /** The cached data for `file`, if a valid one is kept. */
  read(file: CachedFile): Buffer | undefined;
  /** Marks `script`'s code for `file` to be written by write(). */
  keep(file: CachedFile, script: Script): void;
  /** Writes what keep() marked, with all the run has compiled by now (so: as the process exits). */
  write(): void;
}

export interface CachedFile {
  /** The bundle file's name, without its folder, and the command whose run it caches (`cli.validate`). */
  readonly name: string;
  /** The build's content hash of the file, its size and its mtime: the cache is valid for these only. */
  readonly identity: string;
}

const MAGIC = "secretshift code cache 1";

/** Like Node's own compile cache, in the temp directory: outside HOME, so a read-only command writes nothing a user sees. */
export function codeCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  // Node's switch for its compile cache turns this one off too.
  if (env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  const root = env.XDG_CACHE_HOME
    ? join(env.XDG_CACHE_HOME, "secretshift")
    : join(tmpdir(), `secretshift-code-cache${process.getuid ? `-${process.getuid()}` : ""}`);
  return join(root, `${process.versions.v8}-${process.arch}`);
}

/** True when `dir` and its parent are real directories of this user that no one else may write (where there are uids). */
function ours(dir: string): boolean {
  try {
    return [dir, dirname(dir)].every((path) => {
      const stat = lstatSync(path);
      return stat.isDirectory() && (process.getuid === undefined || (stat.uid === process.getuid() && (stat.mode & 0o022) === 0));
    });
  } catch {
    return false;
  }
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Runs as the process exits: nothing may throw from here.
  }
}

export function openCodeCache(dir: string | undefined): CodeCache {
  let trusted: boolean | undefined;
  const usable = () => dir !== undefined && (trusted ??= ours(dir));
  const pending: [CachedFile, Script][] = [];
  const pathOf = (file: CachedFile) => join(dir ?? "", `${file.name}.bin`);
  const header = (file: CachedFile) => `${MAGIC} ${file.identity}\n`;

  const write = () => {
    if (dir === undefined || pending.length === 0) return;
    let temp: string | undefined;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (!(trusted = ours(dir))) return;
      for (const [file, script] of pending.splice(0)) {
        temp = `${pathOf(file)}.${process.pid}.tmp`;
        writeFileSync(temp, Buffer.concat([Buffer.from(header(file), "latin1"), script.createCachedData()]), { mode: 0o600 });
        // A reader sees the old cache or the new one, never half of one.
        renameSync(temp, pathOf(file));
        temp = undefined;
      }
    } catch {
      // A cache that cannot be written only costs the next run the compiling; a half-written one is not left behind.
      if (temp !== undefined) removeQuietly(temp);
    }
  };

  return {
    read(file) {
      if (!usable()) return undefined;
      try {
        const bytes = readFileSync(pathOf(file));
        const head = header(file);
        return bytes.toString("latin1", 0, head.length) === head ? bytes.subarray(head.length) : undefined;
      } catch {
        return undefined;
      }
    },
    keep(file, script) {
      if (dir !== undefined) pending.push([file, script]);
    },
    write,
  };
}
