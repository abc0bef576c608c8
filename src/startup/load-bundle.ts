import { closeSync, fstatSync, openSync, readFileSync } from "node:fs";
import { createRequire, Module } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Script } from "node:vm";
import { type CodeCache, codeCacheDir, openCodeCache } from "./code-cache.js";

/*
 * Loads the files of dist/bundle/ (built by scripts/build-cli.mjs as dist/bundle/load.cjs). A module
 * of one file that another file needs is reached through load(<file>).modules[<path>](), so each file
 * runs once however it is reached (Node's require cache holds it). Each file is written as the
 * function Node's module wrapper would make of it, and compiled here with V8's code cache (code-cache.ts).
 */

declare const SECRETSHIFT_BUNDLE_HASHES: Record<string, string> | undefined;

/** The build's hash of each bundle file: none when running from tsc's output, which then caches nothing. */
const HASHES: Record<string, string> = typeof SECRETSHIFT_BUNDLE_HASHES === "object" ? SECRETSHIFT_BUNDLE_HASHES : {};
const HERE = dirname(fileURLToPath(import.meta.url));
const requireHere = createRequire(import.meta.url);
let opened: CodeCache | undefined;

/**
 * The command a run starts with. Each command keeps its own cache of each file: a cache holds what the
 * run that wrote it compiled, so `cli` and `shared` cached by `init` (most projects' first command)
 * left `validate` compiling the rest of its share lazily on every run (~10 ms of its start). A cache
 * of the union would make each command read the others' code too.
 */
const COMMAND = commandOf(process.argv.slice(2));

function commandOf(args: readonly string[]): string {
  const first = args.find((arg) => !arg.startsWith("-")) ?? "";
  return /^[a-z][a-z0-9-]{0,23}$/.test(first) ? first : "other";
}

export interface BundleFile {
  /** Each module other files use, by its path in the repository, as its namespace (or CommonJS exports). */
  readonly modules: Record<string, () => unknown>;
}

function codeCache(): CodeCache {
  if (opened === undefined) {
    opened = openCodeCache(codeCacheDir(process.env));
    // At exit the cache holds every function the run compiled, not only those compiled before the file ran.
    process.once("exit", opened.write);
  }
  return opened;
}

/** The file's text, and its size and mtime read from the same descriptor: a file replaced meanwhile cannot pair with the other's cache. */
function readWithIdentity(path: string): { text: string; identity: string } {
  const fd = openSync(path, "r");
  try {
    const { size, mtimeMs } = fstatSync(fd);
    return { identity: `${size} ${mtimeMs}`, text: readFileSync(fd, "utf8") };
  } finally {
    closeSync(fd);
  }
}

/** The bundle file `name` (`cli`, `shared`, `validate`, …), loaded once. */
export function load(name: string): BundleFile {
  const path = join(HERE, `${name}.cjs`);
  const loaded = requireHere.cache[path];
  if (loaded) return loaded.exports as BundleFile;
  const { text, identity } = readWithIdentity(path);
  const hash = HASHES[name];
  const file = { name: `${name}.${COMMAND}`, identity: `${hash} ${identity}` };
  const cachedData = hash === undefined ? undefined : codeCache().read(file);
  const script = new Script(text, { filename: path, ...(cachedData ? { cachedData } : {}) });
  if (hash !== undefined && (cachedData === undefined || script.cachedDataRejected)) codeCache().keep(file, script);
  const module = new Module(path) as NodeJS.Module;
  module.filename = path;
  requireHere.cache[path] = module;
  try {
    script.runInThisContext()(module.exports, createRequire(path), module, path, HERE);
  } catch (error) {
    delete requireHere.cache[path];
    throw error;
  }
  module.loaded = true;
  return module.exports as BundleFile;
}

/** `import()` for the bundle's files: code compiled by vm.Script has none of its own without an experimental flag. */
export const importExternal = (specifier: string): Promise<unknown> => import(specifier);
