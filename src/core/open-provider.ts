import type { ProviderName } from "../providers/index.js";
import type { ProviderEvent } from "../providers/shared/context.js";
import type { SecretStore } from "../providers/types.js";
import type { Reporter } from "../ui/reporter.js";
import { type CommonOptions, stateDirOf } from "./command-options.js";
import { loadKey } from "./crypto.js";
import type { Deps } from "./deps.js";
import { describeError } from "./describe-error.js";
import type { Journal } from "./journal.js";
import { StateJournal } from "./state-journal.js";

export interface OpenedProvider {
  readonly store: SecretStore;
  readonly key: Buffer | undefined;
  readonly stateDir: string;
  /** Opened on first call (a live run needs the key); the local store records into the same one. */
  readonly openJournal: () => Promise<Journal>;
}

/** So a throttled or retrying provider never looks hung. */
export const reportEvents =
  (reporter: Reporter, label = "") =>
  (event: ProviderEvent): void => {
    if (event.type === "throttled") reporter.progressNote(`${label}throttled, retrying in ${(event.retryInMs / 1000).toFixed(1)} s`);
    else if (event.type === "retry") reporter.progressNote(`${label}${event.reason}, retrying in ${(event.retryInMs / 1000).toFixed(1)} s`);
    else reporter.verbose(`${label}${event.message}`);
  };

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
    onEvent: reportEvents(reporter),
    ledger: journal.ledger,
  });
  reporter.spin(`connecting to ${name}…`);
  await store.connect();
  reporter.clearProgress();
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
