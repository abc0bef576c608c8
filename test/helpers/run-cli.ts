import { randomBytes } from "node:crypto";
import type { Deps, ProviderFactory } from "../../src/core/deps.js";
import { runCli } from "../../src/main.js";
import { createProvider } from "../../src/providers/index.js";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: Record<string, string | undefined>;
  readonly providers?: ProviderFactory;
  readonly interactive?: boolean;
  readonly answer?: boolean;
  readonly now?: () => Date;
  /**
   * Ctrl-C at an event: the interrupt handlers fire as the store's `method` (`write`, `revert`,
   * `rotation.putPending`, …) is called for the `call`-th time, just before that call runs.
   */
  readonly interruptAt?: { readonly method: string; readonly call: number };
  /** Pretend both streams are terminals, or only stderr (stdout redirected to a file). */
  readonly tty?: boolean | "stderr";
}

/** Runs the real CLI in-process with captured streams; only the effects a test names are replaced. */
export async function runSecrets(args: readonly string[], options: RunOptions): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const handlers = new Set<() => void>();
  const providers = options.providers ?? createProvider;
  const deps: Deps = {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, HOME: options.cwd, ...options.env },
    stdout: { write: (s: string) => (stdout += s), isTTY: options.tty === true },
    stderr: { write: (s: string) => (stderr += s), isTTY: Boolean(options.tty) },
    interactive: options.interactive ?? false,
    clock: { now: options.now ?? (() => new Date()), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    randomBytes,
    prompt: {
      confirm: async () => options.answer ?? false,
      // A person at the keyboard who takes the first offer and keeps the defaults.
      select: async (_message, choices) => choices[0]?.value as never,
      checkbox: async (_message, choices) => choices.filter((c) => c.checked !== false).map((c) => c.value),
    },
    providers: options.interruptAt ? interruptingAt(providers, options.interruptAt, () => fire(handlers)) : providers,
    signals: {
      onInterrupt(handler) {
        handlers.add(handler);
        return () => handlers.delete(handler);
      },
    },
  };
  const code = await runCli(args, deps);
  return { code, stdout, stderr };
}

const fire = (handlers: ReadonlySet<() => void>) => {
  for (const handler of [...handlers]) handler();
};

/** Stores whose `at.method` fires `interrupt` on its `at.call`-th invocation (counted across the stores of a run). */
function interruptingAt(base: ProviderFactory, at: NonNullable<RunOptions["interruptAt"]>, interrupt: () => void): ProviderFactory {
  let calls = 0;
  return async (name, ctx) => {
    const store = await base(name, ctx);
    const rotation = at.method.startsWith("rotation.");
    const owner = (rotation ? store.rotation : store) as unknown as Record<string, (...args: unknown[]) => unknown> | undefined;
    const method = rotation ? at.method.slice("rotation.".length) : at.method;
    const original = owner?.[method]?.bind(owner);
    if (!owner || !original) throw new Error(`the ${name} store has no ${at.method}`);
    owner[method] = (...args: unknown[]) => {
      if (++calls === at.call) interrupt();
      return original(...args);
    };
    return store;
  };
}

export function parseJson(result: CliResult): Record<string, unknown> {
  try {
    return JSON.parse(result.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${result.code}):\n${result.stdout}\n--- stderr:\n${result.stderr}`);
  }
}
