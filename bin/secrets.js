#!/usr/bin/env node
// Kept tiny, and CommonJS (bin/package.json) because an ES module entry costs Node ~10 ms more to
// start: `--version` and `--help` answer from here without loading the CLI, and the compile cache
// (Node 22+) makes every later start cheaper for the external packages. Everything else lives in
// dist/bundle/, whose files load.cjs loads with V8's code cache (src/startup/load-bundle.ts).
"use strict";
require("node:module").enableCompileCache?.();
const { fstatSync, writeSync } = require("node:fs");

const args = process.argv.slice(2);
const last = args[args.length - 1];
const cli = () => require("../dist/bundle/load.cjs").load("cli").main(args);
// Only a character device may be a terminal: for a pipe or a file, process.stdout (a socket stream
// for a pipe, whose making loads node:net, 3-5 ms) is never made. Asked once: the help path needs it twice.
let stdoutIsTerminal;
const terminal = () => (stdoutIsTerminal ??= fstatSync(1).isCharacterDevice() && Boolean(process.stdout.isTTY));

/** What the CLI's FdOutput does (src/ui/fd-output.ts): straight to the descriptor; a closed reader ends it. */
function print(text) {
  if (terminal()) return process.stdout.write(text);
  const bytes = Buffer.from(text);
  let written = 0;
  try {
    written = writeSync(1, bytes);
  } catch (error) {
    if (error.code === "EPIPE") return;
    if (error.code !== "EAGAIN") throw error;
  }
  // A descriptor left non-blocking and full: Node's stream waits for the reader.
  if (written < bytes.length) process.stdout.write(bytes.subarray(written));
}

if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  print(`${require("../package.json").version}\n`);
} else if ((last === "--help" || last === "-h" || args[0] === "help") && (!terminal() || process.stdout.columns === 80)) {
  // Help rendered by commander at build time (scripts/render-help.mjs), exact where it wraps at 80 columns:
  // a pipe, or a terminal that wide. Anything it does not hold goes to the CLI.
  const help = require("../dist/help.json");
  const text = help.texts[help.argv[JSON.stringify(args)]];
  if (text !== undefined) print(text);
  else cli();
} else {
  cli();
}
