import type { Clock } from "../../core/clock.js";
import type { StoreLedger } from "../../core/state-journal.js";

/** Progress events a provider reports so a long run never looks hung ("throttled, retrying in 1.2 s"). */
export type ProviderEvent =
  | { readonly type: "throttled"; readonly retryInMs: number }
  | { readonly type: "retry"; readonly reason: string; readonly retryInMs: number }
  | { readonly type: "info"; readonly message: string };

/**
 * Everything a provider factory gets. `options` holds provider flags already merged with the
 * environment by the CLI layer (`region`, `endpoint`, `mount`, `kvVersion`, `profile`, `address`, …);
 * providers also read their own tooling's environment variables from `env` (AWS_REGION, VAULT_ADDR…).
 */
export interface ProviderContext {
  readonly stateDir: string;
  /** 32-byte data key, when one is configured (the local store needs it; remote providers ignore it). */
  readonly key: Buffer | undefined;
  readonly options: Readonly<Record<string, string | undefined>>;
  readonly env: NodeJS.ProcessEnv;
  readonly clock: Clock;
  readonly concurrency: number | undefined;
  readonly onEvent: (event: ProviderEvent) => void;
  /** The state folder's journal as the local store sees it (absent in tests that build a store alone). */
  readonly ledger?: StoreLedger;
}
