#!/usr/bin/env node
// Kept tiny: `secrets --version` answers without loading the CLI, and the compile cache (Node 22+)
// makes every later start cheaper. Everything else lives in dist/.
import module from "node:module";

module.enableCompileCache?.();
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  const { readFileSync } = await import("node:fs");
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`${pkg.version}\n`);
} else {
  const { main } = await import("../dist/main.js");
  await main(args);
}
