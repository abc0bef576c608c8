// Regenerates the README's table of SECRETS_* environment twins from the CLI's option table
// (src/config/options.ts) (`npm run docs`). A test fails when the README and the CLI disagree.
import { readFileSync, writeFileSync } from "node:fs";
import { twinMarkdown } from "../dist/config/env-twins.js";

const START = "<!-- env-twins:start -->";
const END = "<!-- env-twins:end -->";
const path = new URL("../README.md", import.meta.url);
const readme = readFileSync(path, "utf8");
const table = twinMarkdown();
const from = readme.indexOf(START);
const to = readme.indexOf(END);
if (from < 0 || to < 0) throw new Error(`README.md lacks the ${START} … ${END} markers`);
writeFileSync(path, `${readme.slice(0, from + START.length)}\n${table}\n${readme.slice(to)}`);
console.log("README.md environment table updated");
