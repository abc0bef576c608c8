import { appendFile } from "node:fs/promises";
import { resolve } from "node:path";
import { reporterFor } from "../core/command-options.js";
import type { Deps } from "../core/deps.js";
import { usageError } from "../core/errors.js";
import { type ExportFormat, formatDotenvPairs, formatGithub, formatJson, formatShell } from "../references/formats.js";
import { type LoadOptions, loadResolved } from "../references/load.js";

export interface ExportEnvOptions extends LoadOptions {
  readonly format?: ExportFormat;
  readonly reveal?: boolean;
  /** Only the command line may turn `reveal` on. */
  readonly revealSource?: string;
}

/** Resolved values on stdout, for tools that cannot be wrapped by `secrets run`; never to a terminal unless --reveal. */
export async function exportEnv(options: ExportEnvOptions, deps: Deps): Promise<number> {
  const format = options.format;
  if (format === undefined) throw usageError("NO_FORMAT", "secrets export needs --format dotenv|json|shell|github", "or `secrets export k8s` for manifests");
  if (options.reveal && options.revealSource !== undefined && options.revealSource !== "cli")
    throw usageError("REVEAL_NOT_ON_COMMAND_LINE", "--reveal must be typed on the command line", "printing a value is never a default");
  if (deps.stdout.isTTY && !options.reveal)
    throw usageError("EXPORT_TO_TERMINAL", "refusing to print secret values to a terminal", "redirect stdout (> file, | tool), or pass --reveal");
  const githubEnv = deps.env.GITHUB_ENV;
  if (format === "github" && !githubEnv)
    throw usageError("NO_GITHUB_ENV", "--format github appends to $GITHUB_ENV, which is not set", "run it in a GitHub Actions step");

  const reporter = reporterFor(deps, { ...options, json: false });
  const pairs = await loadResolved(deps, options, reporter);
  if (format === "github") {
    const { masks, envFile } = formatGithub(pairs, () => `ghadelimiter_${deps.randomBytes(16).toString("hex")}`);
    // Masks first: a value is registered before anything can print it.
    deps.stdout.write(masks);
    await appendFile(resolve(deps.cwd, githubEnv as string), envFile, { mode: 0o600 });
    reporter.info(`exported ${pairs.length} variable(s) to $GITHUB_ENV`);
    return 0;
  }
  deps.stdout.write(format === "json" ? formatJson(pairs) : format === "shell" ? formatShell(pairs) : formatDotenvPairs(pairs));
  return 0;
}
