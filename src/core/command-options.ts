import { resolve } from "node:path";
import type { ProviderName } from "../providers/index.js";
import type { SecretStore } from "../providers/types.js";
import { Reporter } from "../ui/reporter.js";
import { loadKey, noKeyError } from "./crypto.js";
import type { Deps } from "./deps.js";
import { describeError } from "./describe-error.js";
import { usageError } from "./errors.js";
import type { Journal } from "./journal.js";
import { StateJournal } from "./state-journal.js";

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

export async function confirmLive(deps: Deps, options: CommonOptions, question: string): Promise<boolean> {
  if (options.yes) return true;
  return deps.prompt.confirm(question);
}

export interface OpenedProvider {
  readonly store: SecretStore;
  readonly key: Buffer | undefined;
  readonly stateDir: string;
  /** Opened on first call (a live run needs the key); the local store records into the same one. */
  readonly openJournal: () => Promise<Journal>;
}

export async function openProvider(deps: Deps, options: CommonOptions, name: ProviderName, reporter: Reporter): Promise<OpenedProvider> {
  const stateDir = stateDirOf(deps, options);
  const key = await loadKey({ env: deps.env, stateDir });
  const journal = new StateJournal(stateDir, deps.clock, key);
  const store = await deps.providers(name, {
    stateDir,
    key,
    options: options.providerOptions ?? {},
    env: deps.env,
    clock: deps.clock,
    concurrency: options.concurrency,
    onEvent: (event) => {
      if (event.type === "throttled") reporter.progress(`throttled, retrying in ${(event.retryInMs / 1000).toFixed(1)} s`);
      else if (event.type === "retry") reporter.progress(`${event.reason}, retrying in ${(event.retryInMs / 1000).toFixed(1)} s`);
      else reporter.verbose(event.message);
    },
    ledger: journal.ledger,
  });
  await store.connect();
  const anchor = store.anchor;
  if (anchor) {
    journal.anchorTo((mark) =>
      anchor
        .write(mark)
        .catch((e: unknown) =>
          reporter.warn(
            `could not record the journal anchor in ${name}: ${describeError(e)}; \`secrets journal verify --provider ${name}\` will report it missing or stale`,
          ),
        ),
    );
  }
  return { store, key, stateDir, openJournal: () => journal.open() };
}

/** Live runs refuse without a key: a backup we cannot encrypt is a backup we must not write. */
export function needKey(key: Buffer | undefined): Buffer {
  if (!key) throw noKeyError("live runs need an encryption key");
  return key;
}
