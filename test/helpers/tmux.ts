import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { BIN } from "./spawn-cli.js";

const run = promisify(execFile);

/** A shell command line that runs the built CLI and then prints its exit code where a poll can see it. */
export const secretsLine = (args: string, env = "") => `${env ? `${env} ` : ""}node ${BIN} ${args}; echo "EXIT=$?"`;

/**
 * A real terminal: a tmux server on its own socket (one per test file), 120×40, running a plain
 * bash in `cwd`. What a person sees is `capture-pane`; waits poll the pane's content, bounded.
 */
export class Terminal {
  private constructor(private readonly socket: string) {}

  static async open(socket: string, cwd: string): Promise<Terminal> {
    const t = new Terminal(socket);
    await t.tmux("kill-server").catch(() => undefined);
    // A clean environment: no CI, no NO_COLOR from the machine running the tests, a colour terminal.
    const shell = `env -i PATH="${process.env.PATH ?? ""}" HOME="${cwd}" TERM=xterm-256color PS1='$ ' bash --norc --noprofile`;
    await t.tmux("new-session", "-d", "-x", "120", "-y", "40", "-c", cwd, shell);
    return t;
  }

  private async tmux(...args: string[]): Promise<string> {
    return (await run("tmux", ["-L", this.socket, ...args])).stdout;
  }

  /** Keys by tmux name (`Enter`, `C-c`, `Escape`, `Down`) or literal text. */
  async keys(...keys: string[]): Promise<void> {
    await this.tmux("send-keys", "-t", "0", ...keys);
  }

  async type(line: string): Promise<void> {
    await this.tmux("send-keys", "-t", "0", "-l", line);
    await this.keys("Enter");
  }

  /** The screen as text; with `escapes`, the colour and attribute codes too. */
  async screen(escapes = false): Promise<string> {
    // -J joins the lines the 120-column screen wrapped.
    return this.tmux("capture-pane", "-p", "-J", "-t", "0", ...(escapes ? ["-e"] : []));
  }

  async clear(): Promise<void> {
    await this.type("clear");
    await this.until((s) => s.trim() === "$");
  }

  /** Polls the screen until `test` holds; fails with the screen after `timeoutMs`. */
  async until(test: string | RegExp | ((screen: string) => boolean), timeoutMs = 20_000): Promise<string> {
    const holds = (s: string) => (typeof test === "string" ? s.includes(test) : test instanceof RegExp ? test.test(s) : test(s));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = await this.screen();
      if (holds(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`the terminal never showed ${String(test)}; it shows:\n${screen}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The exit code the last command line printed. */
  async exitCode(): Promise<number> {
    const screen = await this.until(/EXIT=\d+/);
    return Number(/EXIT=(\d+)/.exec(screen)?.[1]);
  }

  async close(): Promise<void> {
    await this.tmux("kill-server").catch(() => undefined);
  }
}
