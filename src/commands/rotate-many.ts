import { reporterFor, requireConsentPossible, stateDirOf } from "../core/command-options.js";
import type { Deps } from "../core/deps.js";
import { describeError } from "../core/describe-error.js";
import { ExitCode, usageError } from "../core/errors.js";
import { makeNameFilter } from "../core/glob.js";
import { openProvider } from "../core/open-provider.js";
import { chooseProvider } from "../providers/choose.js";
import { type RotateOptions, rotate } from "./rotate.js";

export interface RotateManyOptions extends RotateOptions {
  readonly all?: boolean;
  readonly only?: readonly string[];
  readonly exclude?: readonly string[];
}

/**
 * `rotate --all` / `--only <glob>`: every matching secret in turn, each its own run with its own
 * journalled steps. One that fails is listed and the next one still rotates; exit 1 if any failed.
 */
export async function rotateMany(options: RotateManyOptions, deps: Deps): Promise<number> {
  if (options.abort) throw usageError("BAD_OPTION", "--abort works on one secret", "secrets rotate <name> --abort");
  requireConsentPossible(deps, options);
  const reporter = reporterFor(deps, options);
  const { provider, from } = await chooseProvider("", options, deps, stateDirOf(deps, options));
  reporter.info(`provider: ${provider} (from ${from})`);
  const { store } = await openProvider(deps, options, provider, reporter);
  let names: string[];
  try {
    names = (await store.list("")).filter(makeNameFilter(options)).sort();
  } finally {
    await store.close();
  }
  if (names.length === 0) {
    reporter.warn(`no secret on ${provider} matches ${options.all ? "--all" : "--only/--exclude"}; nothing to rotate`);
    return ExitCode.ok;
  }
  if (options.dryRun) {
    for (const name of names) reporter.out(`would rotate ${name}`);
    reporter.info(`dry run: ${names.length} secret(s) on ${provider} would rotate; nothing was written`);
    return ExitCode.ok;
  }
  if (!options.yes && !(await deps.prompt.confirm(`Rotate ${names.length} secret(s) on ${provider}?`))) {
    reporter.info("cancelled; nothing was written");
    return ExitCode.failed;
  }
  let stopped = false;
  const release = deps.signals.onInterrupt(() => {
    stopped = true;
  });
  const failed: string[] = [];
  let rotated = 0;
  try {
    for (const name of names) {
      if (stopped) break;
      try {
        const code = await rotate(name, { ...options, provider, providerSource: "cli", yes: true }, deps);
        if (code === ExitCode.ok) rotated++;
        else failed.push(name);
      } catch (error) {
        failed.push(name);
        reporter.warn(`${name}: ${describeError(error)}`);
      }
    }
  } finally {
    release();
  }
  const left = names.length - rotated - failed.length;
  reporter.info(
    `rotated ${rotated} of ${names.length} secret(s) on ${provider}${failed.length ? `; failed: ${failed.join(", ")}` : ""}${left ? `; not started: ${left}` : ""}`,
  );
  return stopped ? ExitCode.interrupted : failed.length > 0 ? ExitCode.failed : ExitCode.ok;
}
