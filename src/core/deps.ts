import type { ProviderName } from "../providers/index.js";
import type { ProviderContext } from "../providers/shared/context.js";
import type { SecretStore } from "../providers/types.js";
import type { Clock } from "./clock.js";

export type { Clock } from "./clock.js";

export interface OutputStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

export interface Prompt {
  confirm(message: string): Promise<boolean>;
}

export type ProviderFactory = (name: ProviderName, ctx: ProviderContext) => Promise<SecretStore>;

/**
 * Every effect a command may have, injected so tests replace only what they need.
 * No module-level singletons: `main.ts` builds the real one, tests build their own.
 */
export interface Deps {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** Whether a person can answer a prompt (stdin is a TTY and not CI). */
  readonly interactive: boolean;
  readonly clock: Clock;
  readonly randomBytes: (size: number) => Buffer;
  readonly prompt: Prompt;
  readonly providers: ProviderFactory;
  /** Registered by risky commands so Ctrl-C finishes in-flight work and journals before exit. */
  readonly signals: SignalHub;
}

export interface SignalHub {
  /** Calls `handler` on SIGINT/SIGTERM until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
}
