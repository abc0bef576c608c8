// Renders every command's help once, at build time, through the real CLI (commander), so bin/secrets.js
// can answer `--help` without loading it: byte for byte what commander prints to a pipe (80 columns, no
// colour). Provider help (`secrets help aws`) is left out: it says which of its variables are set.
import { createRequire } from "node:module";
import { COMMANDS } from "../dist/config/options.js";
import { DESCRIPTORS } from "../dist/providers/index.js";

/** Every command path: the program itself, each command, and the groups above subcommands. */
function commandPaths() {
  const paths = new Set([""]);
  for (const { name } of COMMANDS) {
    paths.add(name);
    paths.add(name.split(" ")[0]);
  }
  return [...paths].map((p) => (p ? p.split(" ") : []));
}

function capture() {
  let text = "";
  return { write: (s) => ((text += s), true), text: () => text };
}

async function render(runCli, argv) {
  const stdout = capture();
  const stderr = capture();
  const never = () => {
    throw new Error(`rendering help for ${argv.join(" ")} reached a command`);
  };
  const deps = { cwd: process.cwd(), env: {}, stdout, stderr, interactive: false, clock: { now: () => new Date(), sleep: never }, randomBytes: never, prompt: {}, providers: never, signals: { onInterrupt: () => () => {} } };
  const code = await runCli(argv, deps);
  if (code !== 0 || stderr.text() !== "" || stdout.text() === "") throw new Error(`help for ${argv.join(" ")}: exit ${code}, ${stderr.text()}`);
  return stdout.text();
}

/** `texts`: each distinct help once; `argv`: argv (as JSON) → its index in `texts`. */
export async function renderHelp() {
  // commander wraps help at the terminal's width when stdout is one, at 80 columns otherwise: render
  // the pipe's text even when the build runs in a terminal (the bin serves it only where it is exact).
  Object.defineProperty(process.stdout, "isTTY", { value: false, configurable: true });
  // Rendering every command's help would leave a code cache of those paths for the first real runs to use.
  process.env.NODE_DISABLE_COMPILE_CACHE = "1";
  const { runCli } = createRequire(import.meta.url)("../dist/bundle/load.cjs").load("cli");
  const providers = new Set(DESCRIPTORS.map((d) => d.name));
  const texts = [];
  const argvs = {};
  for (const path of commandPaths()) {
    const forms = [
      [...path, "--help"],
      [...path, "-h"],
    ];
    if (!(path.length === 1 && providers.has(path[0]))) forms.push(["help", ...path]);
    for (const argv of forms) {
      const text = await render(runCli, argv);
      if (!texts.includes(text)) texts.push(text);
      argvs[JSON.stringify(argv)] = texts.indexOf(text);
    }
  }
  return { texts, argv: argvs };
}
