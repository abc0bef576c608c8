// Builds one CommonJS file per group of bundle-groups.mjs (see build-cli.mjs).
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { relative, resolve } from "node:path";

/** What each group's file exports: its modules that another group imports (and, for `cli`, src/main.ts's exports). */
function entries(home, metafile, root) {
  const shared = new Map([...new Set(home.values())].map((group) => [group, new Set()]));
  for (const [file, input] of Object.entries(metafile.inputs)) {
    for (const i of input.imports) if (!i.external && home.has(file) && home.has(i.path) && home.get(i.path) !== home.get(file)) shared.get(home.get(i.path)).add(i.path);
  }
  const require = (path) => `require(${JSON.stringify(resolve(root, path))})`;
  return new Map(
    [...shared].map(([group, paths]) => [
      group,
      [
        "exports.modules = {",
        ...[...paths].sort().map((path) => `  ${JSON.stringify(path)}: () => ${require(path)},`),
        "};",
        ...(group === "cli" ? [`Object.assign(exports, ${require("src/main.ts")});`] : []),
      ].join("\n"),
    ]),
  );
}

/** A module imported from another group's file becomes a reference to it, through the loader. */
function splitPlugin(home, texts, root) {
  return {
    name: "split",
    setup(b) {
      b.onResolve({ filter: /^group:/ }, ({ path }) => ({ path: path.slice("group:".length), namespace: "group" }));
      b.onLoad({ filter: /.*/, namespace: "group" }, ({ path }) => ({ contents: texts.get(path), loader: "js", resolveDir: root }));
      b.onResolve({ filter: /.*/, namespace: "file" }, async ({ path, importer, resolveDir, kind, pluginData }) => {
        if (pluginData?.split) return undefined;
        const found = await b.resolve(path, { importer, resolveDir, kind, pluginData: { split: true } });
        if (found.errors.length > 0 || found.external) return found.errors.length > 0 ? { errors: found.errors } : { path: found.path, external: true };
        const target = home.get(relative(root, found.path));
        const own = home.get(relative(root, importer));
        if (target === undefined || own === undefined || target === own) return { path: found.path, namespace: found.namespace, sideEffects: found.sideEffects };
        return { path: relative(root, found.path), namespace: "elsewhere" };
      });
      b.onLoad({ filter: /.*/, namespace: "elsewhere" }, ({ path }) => ({
        contents: `module.exports = __secretshiftLoad(${JSON.stringify(home.get(path))}).modules[${JSON.stringify(path)}]();`,
        loader: "js",
        resolveDir: root,
      }));
    },
  };
}

/**
 * A module of another file is reached through a stub (`elsewhere:` above) that esbuild takes for
 * CommonJS: every module importing it wrapped it in __toESM, and the file holding it handed it over
 * through __toCommonJS, each a fresh copy of a getter per export (~140 copies at a `validate local`
 * start, ~5 ms with the collections they cost). Both sides are our ES modules, so the module's own
 * exports object goes across as it is: named imports read the same live getters, and `default` is the
 * module's default export, as ES modules mean it (__toESM's Node mode would give the whole object).
 * Either side left as esbuild wrote it still works; both changed make no copy.
 */
function directExports(file, text) {
  const stubs = new Set([...text.matchAll(/^var (require_\w+) = __commonJS\(\{\n {2}"elsewhere:src\//gm)].map((m) => m[1]));
  let imports = 0;
  const unwrapped = text.replace(/__toESM\((require_\w+)\(\)(?:, 1)?\)/g, (call, name) => (stubs.has(name) ? (imports++, `${name}()`) : call));
  let exports = 0;
  const direct = unwrapped.replace(/^( {2}"src\/[^"\n]+": \(\) => \(init_\w+\(\), )__toCommonJS\((\w+_exports\d*)\)\)(,?)$/gm, (_, head, exported, comma) => {
    exports++;
    return `${head}${exported})${comma}`;
  });
  if (stubs.size > 0 && imports === 0) throw new Error(`${file}: no __toESM(require_…()) of another file's module found (esbuild changed its helpers?)`);
  if (/^exports\.modules = \{$/m.test(text) && /"src\//.test(text.slice(text.search(/^exports\.modules = \{$/m))) && exports === 0)
    throw new Error(`${file}: no __toCommonJS(…_exports) in exports.modules (esbuild changed its helpers?)`);
  return direct;
}

/**
 * Readies a built file for load-bundle.ts. Code compiled by vm.Script has no `import()` of its own
 * without an experimental warning: each `import("pkg")` esbuild leaves for an external package asks
 * the loader instead. And the file is written as the function Node would wrap it in, so the loader
 * compiles the text as read, without a second copy of it.
 */
function finish(file, expected) {
  const text = readFileSync(file, "latin1");
  let count = 0;
  const routed = directExports(file, text).replace(/\bimport\(("[^"]+")\)/g, (_, specifier) => {
    count++;
    return `__secretshiftLoader().importExternal(${specifier})`;
  });
  if (count !== expected) throw new Error(`${file}: ${count} import() calls found, the metafile lists ${expected}`);
  const wrapped = `(function (exports, require, module, __filename, __dirname) {\n${routed}\n})`;
  writeFileSync(file, wrapped, "latin1");
  return wrapped;
}

/** Builds the groups into `out`; returns each group's content hash. */
export async function splitGroups({ build, common, define, plugins, home, metafile, root, out }) {
  const texts = entries(home, metafile, root);
  const result = await build({
    ...common,
    // The loader, required once per file (a require() costs a path resolution each time).
    banner: { js: `${common.banner.js}\nlet __secretshiftLoaded;\nconst __secretshiftLoader = () => (__secretshiftLoaded ??= require("./load.cjs"));\nconst __secretshiftLoad = (file) => __secretshiftLoader().load(file);` },
    entryPoints: Object.fromEntries([...texts.keys()].map((group) => [group, `group:${group}`])),
    define,
    metafile: true,
    plugins: [splitPlugin(home, texts, root), ...plugins],
  });
  const hashes = {};
  for (const [path, output] of Object.entries(result.metafile.outputs)) {
    const group = path.replace(/^.*\//, "").replace(/\.cjs$/, "");
    const expected = output.imports.filter((i) => i.external && i.kind === "dynamic-import").length;
    hashes[group] = createHash("sha256")
      .update(finish(resolve(root, path), expected))
      .digest("hex")
      .slice(0, 16);
  }
  return hashes;
}
