// Second half of `npm run build`, after tsc: bundles the CLI and renders its help texts.
//
// Loading ~100 small modules costs more than compiling a few files, so bin/secrets.js starts from an
// ESM bundle (dist/bundle/main.js). Code splitting keeps every `await import()` of a command or provider
// lazy. Only the small pure-JS dependencies every start needs are bundled in; the SDKs, drivers and
// prompt libraries stay external and load, as before, only on the path that needs them.
// tsc's dist/ is for type-checking, dist/lib.d.ts and the scripts; the package ships only the bundle.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { build } from "esbuild";
import { renderHelp } from "./render-help.mjs";

const BUNDLED = new Set(["commander", "chalk", "dotenv", "dotenv-expand"]);
const OUT = new URL("../dist/bundle/", import.meta.url);

const packageOf = (specifier) => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");

rmSync(OUT, { recursive: true, force: true });
await build({
  // The library API (package.json `exports`) is an entry too: it shares chunks with the CLI.
  entryPoints: { main: "src/main.ts", lib: "src/lib.ts" },
  outdir: OUT.pathname,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.19",
  chunkNames: "chunk-[hash]",
  logLevel: "warning",
  define: { SECRETSHIFT_VERSION: JSON.stringify(JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version) },
  // commander and dotenv are CommonJS: inside an ES module their require() of Node built-ins needs one.
  banner: { js: 'import { createRequire as __secretshiftRequire } from "node:module"; const require = __secretshiftRequire(import.meta.url);' },
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

// Node looks up the package.json nearest each module for its type: one beside the chunks ends that walk.
writeFileSync(new URL("package.json", OUT), `${JSON.stringify({ type: "module" })}\n`);
writeFileSync(new URL("../dist/help.json", import.meta.url), `${JSON.stringify(await renderHelp())}\n`);
