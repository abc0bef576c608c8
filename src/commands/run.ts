import { spawn } from "node:child_process";
import { constants } from "node:os";
import { reporterFor } from "../core/command-options.js";
import type { Deps } from "../core/deps.js";
import { usageError } from "../core/errors.js";
import { type LoadOptions, loadResolved } from "../references/load.js";

/** Bash's codes: the command could not be found or could not be started. */
const NOT_FOUND = 127;
const NOT_EXECUTABLE = 126;

/**
 * Resolves every reference, then starts the command with the values added to a copy of this
 * environment. Prints nothing on stdout: the command's output is the only output.
 */
export async function run(command: readonly string[], options: LoadOptions, deps: Deps): Promise<number> {
  const [file, ...args] = command;
  if (file === undefined) throw usageError("NO_COMMAND", "secrets run needs a command to start", "secrets run -- node app.js");
  const reporter = reporterFor(deps, { ...options, json: false });
  const values = await loadResolved(deps, options, reporter);
  const env: NodeJS.ProcessEnv = { ...deps.env };
  for (const { key, value } of values) env[key] = value;
  reporter.verbose(`run: ${values.length} variable(s) from ${(options.from ?? [".env"]).join(", ")}`);

  const child = spawn(file, args, { cwd: deps.cwd, env, stdio: "inherit" });
  // Every SIGINT/SIGTERM goes to the command, which decides when to stop; this process waits for it.
  const release = deps.signals.forward?.((signal) => child.kill(signal)) ?? deps.signals.onInterrupt(() => child.kill("SIGINT"));
  try {
    return await new Promise<number>((resolve) => {
      child.once("error", (error: NodeJS.ErrnoException) => {
        deps.stderr.write(
          `error [COMMAND_NOT_STARTED]: cannot start ${file}: ${error.code === "ENOENT" ? "command not found" : (error.code ?? error.message)}\n`,
        );
        resolve(error.code === "ENOENT" ? NOT_FOUND : NOT_EXECUTABLE);
      });
      child.once("exit", (code, signal) => resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)));
    });
  } finally {
    release();
  }
}
