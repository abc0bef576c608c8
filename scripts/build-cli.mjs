// Second half of `npm run build`, after tsc: bundles the CLI and renders its help texts.
//
// Loading ~100 small ES modules costs more than compiling a few files, so bin/secrets.js starts from
// CommonJS bundles in dist/bundle/, split by what a run needs (bundle-groups.mjs): `cli` for every
// start, `shared`, and one file per command and per provider. A module lives in exactly one file;
// another file reaches it through load.cjs (src/startup/load-bundle.ts), which loads each file once,
// with V8's code cache. In CommonJS, esbuild keeps each module that is reached by `await import()`
// lazy: its code and its require() of external packages run when it is first imported. Only the small
// pure-JS dependencies every start needs are bundled in; the SDKs, drivers and prompt libraries stay
// external and load only on the path that needs them.
// tsc's dist/ is for type-checking, dist/lib.d.ts and the scripts; the package ships only the bundle.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { build } from "esbuild";
import { groupModules } from "./bundle-groups.mjs";
import { lazyFsPromises } from "./lazy-fs-promises.mjs";
import { splitGroups } from "./bundle-split.mjs";
import { renderHelp } from "./render-help.mjs";

const ROOT = resolve(new URL("..", import.meta.url).pathname);
const BUNDLED = new Set(["commander", "chalk", "dotenv", "dotenv-expand"]);
const OUT = new URL("../dist/bundle/", import.meta.url);

const packageOf = (specifier) => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");

const version = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;

const common = {
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20.19",
  logLevel: "warning",
  absWorkingDir: ROOT,
  outdir: OUT.pathname,
  outExtension: { ".js": ".cjs" },
  banner: { js: 'const __secretshiftUrl = require("node:url").pathToFileURL(__filename).href;' },
};
const define = { SECRETSHIFT_VERSION: JSON.stringify(version), "import.meta.url": "__secretshiftUrl" };

const externalPackages = {
  name: "external-packages",
  setup(b) {
    // Bare specifiers only: `#…` are a package's own imports (chalk's), resolved inside it.
    b.onResolve({ filter: /^[^./#]/ }, ({ path }) => (BUNDLED.has(packageOf(path)) ? undefined : { path, external: true }));
  },
};

const lazyChildProcess = {
  // commander loads node:child_process (and with it net and dgram) on start for executable
  // subcommands, which secretshift has none of: load it when a subcommand would be spawned.
  name: "lazy-child-process",
  setup(b) {
    b.onLoad({ filter: /commander[\\/]lib[\\/]command\.js$/ }, ({ path }) => {
      const eager = "const childProcess = require('node:child_process');";
      const source = readFileSync(path, "utf8");
      if (!source.includes(eager)) throw new Error(`${path}: no "${eager}" to make lazy (commander changed?)`);
      return { contents: source.replace(eager, "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };"), loader: "js" };
    });
  },
};

let chalkRedirected = false;
const chalkWithoutNet = {
  // chalk's supports-color asks node:tty whether stdout and stderr are terminals when it loads, and
  // node:tty loads node:net: ~2–3 ms of every start. src/ui/terminal.ts gives the same answers.
  name: "chalk-without-net",
  setup(b) {
    b.onResolve({ filter: /^node:tty$/ }, ({ importer }) => {
      if (!/chalk[\\/]source[\\/]vendor[\\/]supports-color[\\/]/.test(importer)) return undefined;
      chalkRedirected = true;
      return { path: resolve(ROOT, "src/ui/terminal.ts") };
    });
  },
};
// Before externalPackages, which would otherwise take node:tty and node:fs/promises as externals.
const plugins = [chalkWithoutNet, lazyFsPromises(ROOT), externalPackages, lazyChildProcess];

rmSync(OUT, { recursive: true, force: true });

// 1. The module graph, to split it.
const { metafile } = await build({ ...common, entryPoints: { cli: "src/main.ts" }, define, write: false, metafile: true, plugins });
const home = groupModules(metafile, "src/main.ts");
if (!chalkRedirected) throw new Error("chalk's supports-color no longer imports node:tty (chalk changed?): see chalkWithoutNet");

// 2. One file per group, each module in its home group only.
const hashes = await splitGroups({ build, common, define, plugins, home, metafile, root: ROOT, out: OUT });

// 3. The loader, knowing each file's hash (its code cache is valid for that content only), and the library API: a bundle of its own that loads no commander.
await build({
  ...common,
  entryPoints: { load: "src/startup/load-bundle.ts", lib: "src/lib.ts" },
  define: { ...define, SECRETSHIFT_BUNDLE_HASHES: JSON.stringify(hashes) },
  plugins,
});

// One character beyond ASCII makes V8 hold a whole source as two-byte text, slower to read and to
// parse: esbuild escapes them in strings but not in regular expressions.
for (const file of [...Object.keys(hashes).map((g) => `${g}.cjs`), "lib.cjs", "load.cjs"]) {
  const at = readFileSync(new URL(file, OUT), "latin1").search(/[^\x00-\x7f]/);
  if (at >= 0) throw new Error(`dist/bundle/${file}: a non-ASCII character at offset ${at}: escape it in the source (\\u…)`);
}
writeFileSync(new URL("../dist/help.json", import.meta.url), `${JSON.stringify(await renderHelp())}\n`);
