import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, join, relative, resolve, sep } from "node:path";
import { usageError } from "../core/errors.js";
import { globToRegExp } from "../core/glob.js";
import { GitIgnore } from "./gitignore.js";

export type SkipReason = "gitignored" | "excluded" | "symlink" | "binary" | "too-large" | "unreadable";

export interface Skip {
  readonly path: string;
  readonly reason: SkipReason;
}

export interface WalkOptions {
  readonly cwd: string;
  /** As typed; a file named here is scanned even if .gitignore lists it. */
  readonly paths: readonly string[];
  /** Absolute: secretshift's own state folder, which holds nothing in plaintext. */
  readonly stateDir: string;
  readonly gitignore: boolean;
  /** `--exclude-path` globs: with a `/` they match the path from the scan's working directory, without one any file or folder name. */
  readonly exclude: readonly string[];
}

export interface WalkedFile {
  readonly absolute: string;
  /** Relative to the working directory, with `/`: what every report shows. */
  readonly display: string;
}

/** Never entered: version control internals and installed dependencies. */
const SKIPPED_DIRS = new Set([".git", ".hg", ".svn", "node_modules"]);

export const displayPath = (cwd: string, absolute: string): string => relative(cwd, absolute).split(sep).join("/") || ".";

function excluder(globs: readonly string[]): (display: string, isDirectory: boolean) => boolean {
  const tests = globs.map((glob) => {
    const pattern = globToRegExp(glob.replace(/^\.\//, "").replace(/\/$/, ""));
    return glob.includes("/") ? (path: string) => pattern.test(path) : (path: string) => pattern.test(path.slice(path.lastIndexOf("/") + 1));
  });
  // A folder matching `dir/**` is left out whole.
  return (display, isDirectory) => tests.some((t) => t(display) || (isDirectory && t(`${display}/`)));
}

/** Every file to scan under the given paths, in a stable order; what is left out goes to `skip`. */
export async function* walk(options: WalkOptions, skip: (s: Skip) => void): AsyncGenerator<WalkedFile> {
  const excluded = excluder(options.exclude);
  for (const given of options.paths.length > 0 ? options.paths : ["."]) {
    const absolute = resolve(options.cwd, given);
    const info = await stat(absolute).catch(() => undefined);
    if (!info) throw usageError("SCAN_PATH_NOT_FOUND", `${given}: no such file or folder`, `looked for ${absolute}`);
    if (!info.isDirectory()) {
      yield { absolute, display: displayPath(options.cwd, absolute) };
      continue;
    }
    const rules = options.gitignore ? await GitIgnore.at(absolute) : undefined;
    yield* walkDir(absolute, rules, options, excluded, skip);
  }
}

async function* walkDir(
  dir: string,
  rules: GitIgnore | undefined,
  options: WalkOptions,
  excluded: (display: string, isDirectory: boolean) => boolean,
  skip: (s: Skip) => void,
): AsyncGenerator<WalkedFile> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    skip({ path: `${displayPath(options.cwd, dir)}/`, reason: "unreadable" });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const absolute = join(dir, entry.name);
    const display = displayPath(options.cwd, absolute);
    const isDirectory = entry.isDirectory();
    if (isDirectory && (SKIPPED_DIRS.has(entry.name) || absolute === options.stateDir)) continue;
    const shown = isDirectory ? `${display}/` : display;
    if (entry.isSymbolicLink()) skip({ path: shown, reason: "symlink" });
    else if (rules?.ignores(absolute, isDirectory)) skip({ path: shown, reason: "gitignored" });
    else if (excluded(display, isDirectory)) skip({ path: shown, reason: "excluded" });
    else if (isDirectory) yield* walkDir(absolute, await rules?.enter(absolute), options, excluded, skip);
    else if (entry.isFile()) yield { absolute, display };
  }
}

/** Whether a skipped path is a dotenv file: the prime candidates for `migrate`, worth naming. */
export const isDotenvName = (path: string): boolean => /^\.env(?:\..+)?$|\.env$/.test(basename(path));
