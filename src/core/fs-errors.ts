import { existsSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { CliError, ExitCode } from "./errors.js";

const PERMISSION = new Set(["EACCES", "EPERM", "EROFS"]);

const FULL = new Set(["ENOSPC", "EDQUOT"]);

/** A write(2) that fails for space names no path; every other filesystem error we map does. */
const isErrno = (e: unknown): e is NodeJS.ErrnoException =>
  e instanceof Error &&
  typeof (e as NodeJS.ErrnoException).code === "string" &&
  (typeof (e as NodeJS.ErrnoException).path === "string" || FULL.has((e as NodeJS.ErrnoException).code ?? ""));

const inside = (path: string, dir: string) => {
  const r = relative(dir, path);
  return r === "" || (!r.startsWith("..") && !r.startsWith("/"));
};

/** The nearest folder that does not exist on the way to `path`, so the message names what to create. */
function missingFolder(path: string): string | undefined {
  let dir = dirname(path);
  let missing: string | undefined;
  while (!existsSync(dir) && dirname(dir) !== dir) {
    missing = dir;
    dir = dirname(dir);
  }
  return missing;
}

/**
 * A filesystem error from Node names a path and an errno code; this makes it a CliError a person can
 * act on. `stateDir` is the run's state folder: trouble there has its own code, as scripts check for it.
 */
export function actionableFsError(error: unknown, stateDir: string): unknown {
  if (!isErrno(error)) return error;
  // A JSON document that already ended with this error must not get a second one.
  return Object.assign(fromErrno(error, stateDir), { jsonReported: (error as { jsonReported?: boolean }).jsonReported });
}

function fromErrno(error: NodeJS.ErrnoException, stateDir: string): CliError {
  if (FULL.has(error.code ?? "")) {
    return new CliError("DISK_FULL", `no space left on the disk${error.path ? ` holding ${error.path}` : ""} (${error.code})`, {
      exitCode: ExitCode.failed,
      hint: "free some space and run the same command again; a live run stopped part-way is finished by a re-run or undone by `secrets rollback <provider> --last`",
      cause: error,
    });
  }
  const path = resolve(error.path ?? ".");
  const reason = `${error.code === "EROFS" ? "read-only file system" : "permission denied"} (${error.code})`;
  if (PERMISSION.has(error.code ?? "") && (inside(path, stateDir) || inside(stateDir, path))) {
    return new CliError("STATE_DIR_NOT_WRITABLE", `cannot write the state folder: ${path}: ${reason}`, {
      hint: `make ${stateDir} writable by this user (ls -ld ${dirname(path)}), or point --state-dir (SECRETS_STATE_DIR) at a folder that is`,
      cause: error,
    });
  }
  if (PERMISSION.has(error.code ?? "")) {
    return new CliError("PERMISSION_DENIED", `${path}: ${reason}`, { hint: `check its owner and mode (ls -ld ${path}), or choose another path`, cause: error });
  }
  if (error.code === "ENOENT" || error.code === "ENOTDIR") {
    const folder = missingFolder(path);
    if (folder) {
      // The path may be an atomic write's temporary file: the folder is what the person can act on.
      return new CliError("FOLDER_NOT_FOUND", `the folder ${dirname(path)} does not exist${folder === dirname(path) ? "" : ` (nor does ${folder})`}`, {
        hint: `create it (mkdir -p ${dirname(path)}) or choose another path`,
        cause: error,
      });
    }
    return new CliError("PATH_NOT_FOUND", `${path} does not exist`, { hint: "check the path", cause: error });
  }
  return new CliError("FILESYSTEM", `${path}: ${error.code}`, { exitCode: ExitCode.failed, hint: `check ${path} and run again`, cause: error });
}
