// Second half of `npm run build`, after tsc: bundles the CLI and renders its help texts.
//
// Loading ~100 small ES modules costs more than compiling one file, so bin/secrets.js starts from one
// CommonJS bundle (dist/bundle/cli.cjs). In CommonJS, esbuild keeps each module that is reached by
// `await import()` (commands, sources, providers) lazy: its code and its require() of external packages
// run when it is first imported. With ES module output, code splitting would keep that laziness
// only at the price of ~40 chunk files per start, and a single ES module would hoist every package
// import to the top. Only the small pure-JS dependencies every start needs are bundled in; the SDKs,
// drivers and prompt libraries stay external and load only on the path that needs them.
// tsc's dist/ is for type-checking, dist/lib.d.ts and the scripts; the package ships only the bundle.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { build } from "esbuild";
import { renderHelp } from "./render-help.mjs";

const BUNDLED = new Set(["commander", "chalk", "dotenv", "dotenv-expand"]);
const OUT = new URL("../dist/bundle/", import.meta.url);

const packageOf = (specifier) => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");

const version = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;

rmSync(OUT, { recursive: true, force: true });
await build({
  // The library API (package.json `exports`) is a bundle of its own: it loads no commander.
  entryPoints: { cli: "src/main.ts", lib: "src/lib.ts" },
  outdir: OUT.pathname,
  outExtension: { ".js": ".cjs" },
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20.19",
  logLevel: "warning",
  define: { SECRETSHIFT_VERSION: JSON.stringify(version), "import.meta.url": "__secretshiftUrl" },
  banner: { js: 'const __secretshiftUrl = require("node:url").pathToFileURL(__filename).href;' },
  plugins: [
    {
      name: "external-packages",
      setup(b) {
        // Bare specifiers only: `#…` are a package's own imports (chalk's), resolved inside it.
        b.onResolve({ filter: /^[^./#]/ }, ({ path }) => (BUNDLED.has(packageOf(path)) ? undefined : { path, external: true }));
      },
    },
    {
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
    },
  ],
});

// One character beyond ASCII makes V8 hold the whole ~800 KB source as two-byte text, slower to read
// and to parse: esbuild escapes them in strings but not in regular expressions.
for (const file of ["cli.cjs", "lib.cjs"]) {
  const at = readFileSync(new URL(file, OUT), "latin1").search(/[^\x00-\x7f]/);
  if (at >= 0) throw new Error(`dist/bundle/${file}: a non-ASCII character at offset ${at}: escape it in the source (\\u…)`);
}
writeFileSync(new URL("../dist/help.json", import.meta.url), `${JSON.stringify(await renderHelp())}\n`);
