// An esbuild plugin for the bundle (build-cli.mjs): our modules get node:fs/promises on first use.
//
// Loading node:fs/promises loads readline's interface, fs watchers and dir with it (11 built-in
// modules: 1-1.6 ms of a start on Node 20, 2.4-3 ms on Node 24), and every state-file module imports
// it. A run that reads only small files synchronously and writes nothing (`validate local`) never
// calls it. esbuild compiles an import of a CommonJS module to __toESM(require_x()), which lists the
// module's own keys at once but reads each through a getter when used: so each export here is a
// getter that loads the real module.
import { resolve, sep } from "node:path";

const NAMESPACE = "lazy-builtin";

/** The module our code imports instead: one getter per export of the Node that builds (a newer Node's extra names read as undefined on an older one, as they would anyway). */
async function contents() {
  const names = Object.keys(await import("node:fs/promises")).filter((name) => name !== "default");
  if (!names.includes("open") || !names.includes("readFile")) throw new Error("node:fs/promises has no open or readFile (a Node without them?)");
  return [
    '"use strict";',
    "let loaded;",
    'const real = () => (loaded ??= require("node:fs/promises"));',
    `for (const name of ${JSON.stringify(names)}) Object.defineProperty(exports, name, { enumerable: true, get: () => real()[name] });`,
  ].join("\n");
}

/** The plugin; `root` is the repository, whose src/ modules are the ones redirected (bundled packages keep theirs). */
export function lazyFsPromises(root) {
  const ours = `${resolve(root, "src")}${sep}`;
  return {
    name: "lazy-fs-promises",
    setup(b) {
      b.onResolve({ filter: /^(node:)?fs\/promises$/ }, ({ importer }) => (importer.startsWith(ours) ? { path: "node:fs/promises", namespace: NAMESPACE } : undefined));
      b.onLoad({ filter: /.*/, namespace: NAMESPACE }, async () => ({ contents: await contents(), loader: "js" }));
    },
  };
}

/** Whether a module of the metafile is one this plugin makes: each bundle file holds its own copy, and none is shared between files. */
export const isLazyBuiltin = (path) => path.startsWith(`${NAMESPACE}:`);
