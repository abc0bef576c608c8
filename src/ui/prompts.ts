import { CliError, ExitCode, isCliError } from "../core/errors.js";
import type { Spinners } from "./spinner.js";
import type { Theme } from "./theme.js";

export interface Choice<T> {
  readonly name: string;
  readonly value: T;
  readonly checked?: boolean;
}

/** Every question a command may ask; `colour` comes from the same theme as the rest of the output. */
export interface Prompt {
  confirm(message: string, theme?: Theme): Promise<boolean>;
  /** `initial`: where the cursor starts (the first choice when not given). */
  select<T>(message: string, choices: readonly Choice<T>[], theme?: Theme, initial?: T): Promise<T>;
  checkbox<T>(message: string, choices: readonly Choice<T>[], theme?: Theme): Promise<T[]>;
}

/** Ctrl-C or Esc at a prompt: the run stops before its first write. */
export const cancelled = () => new CliError("CANCELLED", "cancelled; nothing was written", { exitCode: ExitCode.interrupted });
export const isCancelled = (e: unknown) => isCliError(e) && e.code === "CANCELLED";

/** inquirer's own colours bypass chalk (and `--no-color`): every style goes through the theme instead. */
function inquirerTheme(theme: Theme | undefined) {
  const t = theme ?? { cyan: String, green: String, dim: String, bold: String, red: String };
  return {
    prefix: { idle: t.cyan("?"), done: t.green("✔") },
    style: {
      answer: t.cyan,
      message: t.bold,
      error: (s: string) => t.red(`> ${s}`),
      defaultAnswer: (s: string) => t.dim(`(${s})`),
      help: t.dim,
      highlight: t.cyan,
      key: (s: string) => t.cyan(t.bold(`<${s}>`)),
      description: t.cyan,
      disabled: (s: string) => t.dim(`- ${s}`),
      disabledChoice: (s: string) => t.dim(`- ${s}`),
      keysHelpTip: (keys: [string, string][]) => keys.map(([k, a]) => `${t.bold(k)} ${t.dim(a)}`).join(t.dim(" • ")),
    },
    icon: { checked: t.green("◉"), unchecked: "◯", cursor: "❯" },
  };
}

/** @inquirer/prompts on stderr; a turning spinner is stopped first, and Esc cancels like Ctrl-C. */
export function inquirerPrompt(spinners: Spinners): Prompt {
  async function ask<T>(run: (context: { output: NodeJS.WritableStream; signal: AbortSignal }) => Promise<T>): Promise<T> {
    spinners.stopAll();
    const abort = new AbortController();
    const onKey = (_: unknown, key: { name?: string } | undefined) => key?.name === "escape" && abort.abort();
    // node:readline (with its promises and keypress modules) costs every start a few ms: only a prompt loads it.
    (await import("node:readline")).emitKeypressEvents(process.stdin);
    process.stdin.on("keypress", onKey);
    try {
      return await run({ output: process.stderr, signal: abort.signal });
    } catch (e) {
      const name = (e as { name?: string } | undefined)?.name;
      if (name === "ExitPromptError" || name === "AbortPromptError") throw cancelled();
      throw e;
    } finally {
      process.stdin.off("keypress", onKey);
    }
  }
  return {
    confirm: (message, theme) => ask(async (c) => (await import("@inquirer/prompts")).confirm({ message, default: false, theme: inquirerTheme(theme) }, c)),
    select: (message, choices, theme, initial) =>
      ask(async (c) => (await import("@inquirer/prompts")).select({ message, choices: [...choices], default: initial, theme: inquirerTheme(theme) }, c)),
    checkbox: (message, choices, theme) =>
      ask(async (c) => (await import("@inquirer/prompts")).checkbox({ message, choices: [...choices], pageSize: 15, theme: inquirerTheme(theme) }, c)),
  };
}
