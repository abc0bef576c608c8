// Which file of dist/bundle/ each module of the CLI lives in (see build-cli.mjs).
//
// `cli` holds what every start runs: src/main.ts and what it imports statically (commander, the
// option tables, the provider descriptors). Everything else is reached through an `await import()`,
// and goes to the file of the command, provider or folder that imports it: a module only one of them
// reaches lives with it (`validate`, `local`, `scan`, …), and a module several of them reach lives
// in `shared`. A run thus reads `cli`, `shared` and the files of its command and provider.

import { isLazyBuiltin } from "./lazy-fs-promises.mjs";

/** Imports of `file` in an esbuild metafile: static ones, or those it makes with `import()`. */
function importsOf(metafile, file, lazy) {
  return (metafile.inputs[file]?.imports ?? []).filter((i) => !i.external && (i.kind === "dynamic-import") === lazy).map((i) => i.path);
}

function staticClosure(metafile, roots) {
  const seen = new Set();
  const stack = [...roots];
  while (stack.length > 0) {
    const file = stack.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    stack.push(...importsOf(metafile, file, false));
  }
  return seen;
}

/** A lazily imported module's family: its command (src/commands/<name>), its provider folder, else its top folder (`shared` for a file at the top of src/). */
function familyOf(root) {
  const match = root.match(/^src\/commands\/([a-z0-9-]+)\.ts$/) ?? root.match(/^src\/providers\/([a-z0-9-]+)\//) ?? root.match(/^src\/([a-z0-9-]+)\//);
  return match?.[1] ?? "shared";
}

/** Module (a path as the metafile spells it) → the name of its file in dist/bundle/. */
export function groupModules(metafile, entry) {
  const home = new Map([...staticClosure(metafile, [entry])].map((file) => [file, "cli"]));
  const reachedBy = new Map();
  const lazyRoots = new Set(Object.keys(metafile.inputs).flatMap((file) => importsOf(metafile, file, true)));
  for (const root of lazyRoots) {
    for (const file of staticClosure(metafile, [root])) {
      if (home.has(file)) continue;
      if (!reachedBy.has(file)) reachedBy.set(file, new Set());
      reachedBy.get(file).add(familyOf(root));
    }
  }
  for (const [file, families] of reachedBy) home.set(file, families.size === 1 ? [...families][0] : "shared");
  // A few generated lines each file keeps its own copy of, rather than one more cross-file reference.
  for (const file of home.keys()) if (isLazyBuiltin(file)) home.delete(file);
  // dist/bundle/load.cjs and lib.cjs are the loader and the library API.
  for (const taken of ["load", "lib"]) if ([...home.values()].includes(taken)) throw new Error(`a module family is called "${taken}", a file dist/bundle/ holds already`);
  return home;
}
