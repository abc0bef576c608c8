import { randomBytes } from "node:crypto";
import { createProvider } from "../providers/index.js";
import { processOutput } from "../ui/fd-output.js";
import { inquirerPrompt } from "../ui/prompts.js";
import { oraSpinners } from "../ui/spinner.js";
import { isTerminal } from "../ui/terminal.js";
import type { Deps, SignalHub } from "./deps.js";
import { ExitCode } from "./errors.js";

/**
 * SIGINT with no handler registered exits 130 at once; while a live run has registered one,
 * the first Ctrl-C asks it to stop after in-flight writes, a second one exits immediately.
 */
function processSignals(): SignalHub {
  const handlers = new Set<() => void>();
  const forwards = new Set<(signal: NodeJS.Signals) => void>();
  let hits = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (forwards.size > 0) {
      for (const f of forwards) f(signal);
      return;
    }
    hits++;
    if (handlers.size === 0 || hits > 1) process.exit(ExitCode.interrupted);
    for (const h of handlers) h();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    onInterrupt(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    forward(handler) {
      forwards.add(handler);
      return () => forwards.delete(handler);
    },
  };
}

export function realDeps(): Deps {
  const env = process.env;
  const spinners = oraSpinners();
  const stderr = processOutput(2);
  return {
    cwd: process.cwd(),
    env,
    stdout: processOutput(1),
    stderr,
    // isTerminal(0), not process.stdin.isTTY: that getter builds the stdin stream (~4 ms) for a command that may never read it.
    interactive: !env.CI && Boolean(stderr.isTTY) && isTerminal(0),
    clock: { now: () => new Date(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    randomBytes,
    prompt: inquirerPrompt(spinners),
    spinners,
    providers: createProvider,
    signals: processSignals(),
  };
}
