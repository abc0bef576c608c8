import type { Deps } from "../core/deps.js";
import { maskCredentials } from "./mask.js";
import type { Spinner } from "./spinner.js";
import { type Theme, themeFor } from "./theme.js";

export interface ReporterOptions {
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
  readonly color?: boolean;
}

/** How long a "throttled, retrying" note stays beside the progress it slows down. */
const NOTE_MS = 3000;

/** Everything meant for a person goes to stderr, so stdout stays data; colour and spinners only on a terminal. */
export class Reporter {
  /** A spinner on stderr: a terminal, not CI, not --json or --quiet. */
  readonly fancy: boolean;
  /** Only when stdout itself is a terminal, so `> plan.txt` stays plain. */
  readonly paint: Theme;
  readonly errPaint: Theme;
  private lastProgressAt = 0;
  private spinner: Spinner | undefined;
  private message = "";
  private note: { text: string; until: number } | undefined;

  constructor(
    private readonly deps: Pick<Deps, "stderr" | "stdout" | "env" | "clock" | "spinners">,
    private readonly options: ReporterOptions,
  ) {
    const env = deps.env;
    const choice = { env, flag: options.color, json: options.json };
    this.errPaint = themeFor(deps.stderr, choice);
    this.paint = themeFor(deps.stdout, choice);
    const terminal = Boolean(deps.stderr.isTTY) && env.CI === undefined && env.TERM !== "dumb";
    this.fancy = terminal && deps.spinners !== undefined && !options.json && !options.quiet;
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

  /** The error that ends a run: any status line or spinner is cleared first, so nothing is glued to it. */
  error(text: string): void {
    this.err(text);
  }

  /** A spinner on a terminal; elsewhere a plain line at most every 5 s, so CI logs show life without flooding. */
  progress(message: string, force = false): void {
    if (this.options.json || this.options.quiet) return;
    this.message = message;
    this.show(force, this.deps.clock.now().getTime());
  }

  /** A short wait (connecting) worth a spinner at a terminal but not a line in a CI log. */
  spin(message: string): void {
    if (this.fancy) this.progress(message);
  }

  /** A passing condition (throttled, retrying) shown beside the current progress for a few seconds. */
  progressNote(note: string): void {
    if (this.options.json || this.options.quiet) return;
    const now = this.deps.clock.now().getTime();
    this.note = { text: note, until: now + NOTE_MS };
    this.show(false, now);
  }

  clearProgress(): void {
    this.spinner?.stop();
    this.spinner = undefined;
  }

  private show(force: boolean, now: number): void {
    if (this.note && now > this.note.until) this.note = undefined;
    const text = this.note ? `${this.message} (${this.note.text})` : this.message;
    if (this.fancy && this.deps.spinners) {
      this.spinner ??= this.deps.spinners.start(this.deps.stderr, this.errPaint.on);
      this.spinner.text(maskCredentials(text));
      return;
    }
    if (force || now - this.lastProgressAt >= 5000) {
      this.lastProgressAt = now;
      this.err(text);
    }
  }

  /** A provider message may quote a URL with its password. */
  private err(line: string): void {
    this.clearProgress();
    this.deps.stderr.write(`${maskCredentials(line)}\n`);
  }
}
