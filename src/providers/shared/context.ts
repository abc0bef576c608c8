import type { Clock } from "../../core/clock.js";
import type { StoreLedger } from "../../core/state-journal.js";

/** So a long run never looks hung ("throttled, retrying in 1.2 s"). */
export type ProviderEvent =
  | { readonly type: "throttled"; readonly retryInMs: number }
  | { readonly type: "retry"; readonly reason: string; readonly retryInMs: number }
  | { readonly type: "info"; readonly message: string };

/** `options` are the provider's flags already layered; `env` is its own tooling's environment. */
export interface ProviderContext {
  readonly stateDir: string;
  readonly key: Buffer | undefined;
  readonly options: Readonly<Record<string, string | undefined>>;
  readonly env: NodeJS.ProcessEnv;
  readonly clock: Clock;
  readonly concurrency: number | undefined;
  readonly onEvent: (event: ProviderEvent) => void;
  readonly ledger?: StoreLedger;
}
