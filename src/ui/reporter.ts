import type { Deps } from "../core/deps.js";
import { maskCredentials } from "./mask.js";

export interface ReporterOptions {
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
  readonly color?: boolean;
}

type Paint = (s: string) => string;
const plain: Paint = (s) => s;
const ansi =
  (open: number, close: number): Paint =>
  (s) =>
    `\u001b[${open}m${s}\u001b[${close}m`;

type Palette = { red: Paint; green: Paint; yellow: Paint; dim: Paint; bold: Paint };
const palette = (on: boolean): Palette => ({
  red: on ? ansi(31, 39) : plain,
  green: on ? ansi(32, 39) : plain,
  yellow: on ? ansi(33, 39) : plain,
  dim: on ? ansi(2, 22) : plain,
  bold: on ? ansi(1, 22) : plain,
});

/** Everything meant for a person goes to stderr, so stdout stays data; colour and progress only on a terminal. */
export class Reporter {
  readonly fancy: boolean;
  /** Only when stdout itself is a terminal, so `> plan.txt` stays plain. */
  readonly paint: Palette;
  private readonly errPaint: Palette;
  private lastProgressAt = 0;
  private progressShown = false;

  constructor(
    private readonly deps: Pick<Deps, "stderr" | "stdout" | "env" | "clock">,
    private readonly options: ReporterOptions,
  ) {
    const env = deps.env;
    const noColor = options.color === false || env.NO_COLOR !== undefined || env.CI !== undefined || env.TERM === "dumb";
    this.fancy = Boolean(deps.stderr.isTTY) && !options.json && !noColor;
    this.errPaint = palette(this.fancy);
    this.paint = palette(Boolean(deps.stdout.isTTY) && !options.json && !noColor);
  }

  out(text: string): void {
    this.clearProgress();
    this.deps.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  json(document: unknown): void {
    this.deps.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  }

  info(message: string): void {
    if (!this.options.quiet) this.err(message);
  }

  verbose(message: string): void {
    if (this.options.verbose) this.err(this.errPaint.dim(message));
  }

  warn(message: string): void {
    this.err(`${this.errPaint.yellow("warning:")} ${message}`);
  }

  /**
   * The error that ends a run. It is printed by a Reporter of its own, which cannot know whether the
   * command's left a status line: on a terminal the line is cleared regardless, so nothing is glued to it.
   */
  error(text: string): void {
    if (this.deps.stderr.isTTY) this.progressShown = true;
    this.err(text);
  }

  /** In CI a plain line at most every 5 s, so logs show life without flooding. */
  progress(message: string, force = false): void {
    if (this.options.json || this.options.quiet) return;
    if (this.fancy) {
      this.deps.stderr.write(`\r\u001b[2K${this.errPaint.dim(message)}`);
      this.progressShown = true;
      return;
    }
    const now = this.deps.clock.now().getTime();
    if (force || now - this.lastProgressAt >= 5000) {
      this.lastProgressAt = now;
      this.err(message);
    }
  }

  clearProgress(): void {
    if (this.progressShown) {
      this.deps.stderr.write("\r\u001b[2K");
      this.progressShown = false;
    }
  }

  /** A provider message may quote a URL with its password. */
  private err(line: string): void {
    this.clearProgress();
    this.deps.stderr.write(`${maskCredentials(line)}\n`);
  }
}
