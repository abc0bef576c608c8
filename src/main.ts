import { buildCli, parseExit } from "./cli.js";
import type { Deps } from "./core/deps.js";
import { CliError, ExitCode, isCliError } from "./core/errors.js";
import { realDeps } from "./core/real-deps.js";
import { packageVersion } from "./core/version.js";
import { DESCRIPTORS } from "./providers/index.js";
import { maskCredentials } from "./ui/mask.js";
import { isCancelled } from "./ui/prompts.js";
import { Reporter } from "./ui/reporter.js";

/** Parses, runs, and maps every failure to one line on stderr and an exit code. Nothing else exits. */
export async function runCli(argv: readonly string[], deps: Deps): Promise<number> {
  let code: number = ExitCode.ok;
  const program = buildCli(
    deps,
    packageVersion(),
    async (run) => {
      code = await run();
    },
    argv,
  );
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    code = reportError(error, deps, argv);
  }
  return code;
}

function reportError(error: unknown, deps: Deps, argv: readonly string[]): number {
  const json = argv.includes("--json");
  const verbose = argv.includes("--verbose");
  // A spinner never hides an error: it is cleared before the first character of it.
  deps.spinners?.stopAll();
  const parsing = parseExit(error);
  if (parsing !== undefined) return parsing;
  if (isCancelled(error)) {
    if (json) deps.stdout.write(`${JSON.stringify({ cancelled: true })}\n`);
    deps.stderr.write(`${(error as Error).message}\n`);
    return ExitCode.interrupted;
  }
  const known: CliError = isCliError(error)
    ? error
    : new CliError("INTERNAL", error instanceof Error ? (error.message.split("\n")[0] ?? "unexpected error") : String(error), {
        exitCode: ExitCode.failed,
        hint: "this is a bug in secretshift: please report it with the command you ran and what the same command prints with --verbose (the stack; values are never printed)",
      });
  // A command that already started its JSON document ended it with the error itself.
  const reported = Boolean((error as { jsonReported?: boolean } | undefined)?.jsonReported);
  // A message may quote a URL or connection string given on the command line: its credentials never print.
  const message = maskCredentials(known.message);
  const hint = known.hint === undefined ? undefined : maskCredentials(known.hint);
  if (json && !reported) deps.stdout.write(`${JSON.stringify({ error: { code: known.code, message, ...(hint ? { hint } : {}) } })}\n`);
  const reporter = new Reporter(deps, { color: !argv.includes("--no-color") });
  reporter.error(`error [${known.code}]: ${message}${hint ? `\nhint: ${hint}` : ""}`);
  if (verbose && error instanceof Error && error.stack) reporter.error(error.stack);
  return known.exitCode;
}

export async function main(argv: readonly string[]): Promise<void> {
  // The one place process.env is written: defaults a provider's SDK reads from it, unless the user set them.
  for (const d of DESCRIPTORS) for (const [name, value] of Object.entries(d.processDefaults ?? {})) process.env[name] ??= value;
  const deps = realDeps();
  const code = await runCli(argv, deps);
  process.exitCode = code;
}
