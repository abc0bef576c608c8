import { spawn } from "node:child_process";
import { access, constants } from "node:fs/promises";
import { delimiter, join } from "node:path";
import type { Deps } from "../core/deps.js";

/**
 * Text too long for one screen, shown the way git does: `$PAGER`, else `less` (with `LESS=FRX` unless
 * the user set LESS: raw colours, quit if it fits, leave it on screen). Without a pager, or when
 * stdout is not a terminal, the text is printed to stderr, where the prompt is.
 */
export async function page(deps: Pick<Deps, "env" | "stdout" | "stderr" | "signals">, text: string): Promise<void> {
  const command = deps.stdout.isTTY ? await pagerCommand(deps.env) : undefined;
  // Ctrl-C inside less reaches our process group too; like git, we leave it to the pager.
  const release = command === undefined ? undefined : deps.signals.forward?.(() => undefined);
  try {
    if (command === undefined || !(await runPager(command, deps.env, text))) deps.stderr.write(`${text}\n`);
  } finally {
    release?.();
  }
}

async function pagerCommand(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (env.PAGER !== undefined) return env.PAGER.trim() === "" || env.PAGER === "cat" ? undefined : env.PAGER;
  return (await onPath("less", env)) ? "less -R" : undefined;
}

async function onPath(name: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  for (const dir of (env.PATH ?? "").split(delimiter).filter(Boolean)) {
    if (
      await access(join(dir, name), constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return true;
  }
  return false;
}

/** `false` when the pager could not run (the shell's 127), so the caller prints instead. */
function runPager(command: string, env: NodeJS.ProcessEnv, text: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(command, { shell: true, stdio: ["pipe", "inherit", "inherit"], env: { ...env, LESS: env.LESS ?? "FRX" } });
    // Quitting the pager early closes its stdin: not an error.
    child.stdin.on("error", () => undefined);
    child.on("error", () => resolve(false));
    child.on("close", (code) => resolve(code !== 127));
    child.stdin.end(`${text}\n`);
  });
}
