import { resolve } from "node:path";
import { isCancelled } from "../ui/prompts.js";
import { Reporter } from "../ui/reporter.js";
import { themeFor } from "../ui/theme.js";
import { noKeyError } from "./crypto.js";
import type { Deps } from "./deps.js";
import { ExitCode, usageError } from "./errors.js";
import { acquireLock, waitingLine } from "./lock.js";

export interface CommonOptions {
  readonly stateDir?: string;
  readonly json?: boolean;
  readonly yes?: boolean;
  readonly dryRun?: boolean;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
  readonly color?: boolean;
  readonly concurrency?: number;
  /** Passed through to the provider as-is. */
  readonly providerOptions?: Readonly<Record<string, string | undefined>>;
}

export const stateDirOf = (deps: Pick<Deps, "cwd">, options: CommonOptions) => resolve(deps.cwd, options.stateDir ?? ".secrets");

export const reporterFor = (deps: Deps, options: CommonOptions) =>
  new Reporter(deps, { json: options.json, quiet: options.quiet, verbose: options.verbose, color: options.color });

/** Sortable and short enough for humans to type: `20261123T164501-3f9a2c`. */
export function newRunId(deps: Pick<Deps, "clock" | "randomBytes">): string {
  const stamp = deps.clock
    .now()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "");
  return `${stamp}-${deps.randomBytes(3).toString("hex")}`;
}

/** Asked before anything is read, so CI without `--yes` fails in a second instead of after planning. */
export function requireConsentPossible(deps: Deps, options: CommonOptions): void {
  if (options.dryRun || options.yes || deps.interactive) return;
  throw usageError(
    "CONFIRMATION_REQUIRED",
    "this live run needs confirmation and there is no terminal to ask",
    "pass --yes to proceed, or --dry-run to only see the plan",
  );
}

/** `undefined` to go ahead, else the exit code: 1 when the answer was no, 130 for Ctrl-C or Esc. */
export async function confirmLive(deps: Deps, options: CommonOptions, question: string): Promise<number | undefined> {
  if (options.yes) return undefined;
  try {
    return (await deps.prompt.confirm(question, themeFor(deps.stderr, { env: deps.env, flag: options.color }))) ? undefined : ExitCode.failed;
  } catch (e) {
    if (isCancelled(e)) return ExitCode.interrupted;
    throw e;
  }
}

/** Live runs refuse without a key: a backup we cannot encrypt is a backup we must not write. */
export function needKey(key: Buffer | undefined): Buffer {
  if (!key) throw noKeyError("live runs need an encryption key");
  return key;
}

/** The state lock, with the spinner saying whose run it waits for. */
export async function lockState(deps: Pick<Deps, "clock">, stateDir: string, command: string, reporter: Reporter): Promise<() => Promise<void>> {
  const release = await acquireLock(`${stateDir}/lock`, {
    command,
    onWait: (holder) => reporter.progress(waitingLine(holder, deps.clock.now().getTime())),
  });
  reporter.clearProgress();
  return release;
}
