import type { ProviderName } from "../providers/index.js";
import type { ProviderContext } from "../providers/shared/context.js";
import type { SecretStore } from "../providers/types.js";
import type { OutputStream } from "../ui/output-stream.js";
import type { Prompt } from "../ui/prompts.js";
import type { Spinners } from "../ui/spinner.js";
import type { Clock } from "./clock.js";

export type { OutputStream } from "../ui/output-stream.js";
export type { Prompt } from "../ui/prompts.js";
export type { Clock } from "./clock.js";

export type ProviderFactory = (name: ProviderName, ctx: ProviderContext) => Promise<SecretStore>;

/** Every effect a command may have; `main.ts` builds the real one, tests replace only what they need. */
export interface Deps {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** stdin is a TTY and not CI. */
  readonly interactive: boolean;
  readonly clock: Clock;
  readonly randomBytes: (size: number) => Buffer;
  readonly prompt: Prompt;
  /** Absent in tests with captured streams: progress is then plain lines. */
  readonly spinners?: Spinners;
  readonly providers: ProviderFactory;
  readonly signals: SignalHub;
}

export interface SignalHub {
  onInterrupt(handler: () => void): () => void;
  /** While registered, every SIGINT/SIGTERM goes to the handler and nothing exits (`secrets run` passes them to its command). */
  forward?(handler: (signal: NodeJS.Signals) => void): () => void;
}
