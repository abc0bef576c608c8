#!/usr/bin/env node
// Kept tiny: `--version` and `--help` answer without loading the CLI, and the compile cache (Node 22+)
// makes every later start cheaper. Everything else lives in dist/bundle/ (one file, plus lazy chunks).
import module from "node:module";

module.enableCompileCache?.();
const args = process.argv.slice(2);
const last = args[args.length - 1];
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  const { readFileSync } = await import("node:fs");
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`${pkg.version}\n`);
} else if ((last === "--help" || last === "-h" || args[0] === "help") && (!process.stdout.isTTY || process.stdout.columns === 80)) {
  // Help rendered by commander at build time (scripts/render-help.mjs), exact where it wraps at 80 columns:
  // a pipe, or a terminal that wide. Anything it does not hold goes to the CLI.
  const { readFileSync } = await import("node:fs");
  const help = JSON.parse(readFileSync(new URL("../dist/help.json", import.meta.url), "utf8"));
  const text = help.texts[help.argv[JSON.stringify(args)]];
  if (text !== undefined) process.stdout.write(text);
  else await (await import("../dist/bundle/main.js")).main(args);
} else {
  const { main } = await import("../dist/bundle/main.js");
  await main(args);
}
