#!/usr/bin/env node
// Kept tiny, and CommonJS (bin/package.json) because an ES module entry costs Node ~10 ms more to
// start: `--version` and `--help` answer from here without loading the CLI, and the compile cache
// (Node 22+) makes every later start cheaper for the external packages. Everything else lives in
// dist/bundle/, whose files load.cjs loads with V8's code cache (src/startup/load-bundle.ts).
"use strict";
require("node:module").enableCompileCache?.();

const args = process.argv.slice(2);
const last = args[args.length - 1];
const cli = () => require("../dist/bundle/load.cjs").load("cli").main(args);

if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  process.stdout.write(`${require("../package.json").version}\n`);
} else if ((last === "--help" || last === "-h" || args[0] === "help") && (!process.stdout.isTTY || process.stdout.columns === 80)) {
  // Help rendered by commander at build time (scripts/render-help.mjs), exact where it wraps at 80 columns:
  // a pipe, or a terminal that wide. Anything it does not hold goes to the CLI.
  const help = require("../dist/help.json");
  const text = help.texts[help.argv[JSON.stringify(args)]];
  if (text !== undefined) process.stdout.write(text);
  else cli();
} else {
  cli();
}
