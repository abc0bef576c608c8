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
  /** Fires the interrupt handlers once this many provider events / progress calls happened. */
  readonly interruptAfterMs?: number;
  /** Pretend both streams are terminals, or only stderr (stdout redirected to a file). */
  readonly tty?: boolean | "stderr";
}

/** Runs the real CLI in-process with captured streams; only the effects a test names are replaced. */
export async function runSecrets(args: readonly string[], options: RunOptions): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const handlers = new Set<() => void>();
  const deps: Deps = {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, HOME: options.cwd, ...options.env },
    stdout: { write: (s: string) => (stdout += s), isTTY: options.tty === true },
    stderr: { write: (s: string) => (stderr += s), isTTY: Boolean(options.tty) },
    interactive: options.interactive ?? false,
    clock: { now: options.now ?? (() => new Date()), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    randomBytes,
    prompt: { confirm: async () => options.answer ?? false },
    providers: options.providers ?? createProvider,
    signals: {
      onInterrupt(handler) {
        handlers.add(handler);
        if (options.interruptAfterMs !== undefined) setTimeout(() => handler(), options.interruptAfterMs);
        return () => handlers.delete(handler);
      },
    },
  };
  const code = await runCli(args, deps);
  return { code, stdout, stderr };
}

export function parseJson(result: CliResult): Record<string, unknown> {
  try {
    return JSON.parse(result.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${result.code}):\n${result.stdout}\n--- stderr:\n${result.stderr}`);
  }
}
