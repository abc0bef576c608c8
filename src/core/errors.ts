/** Exit codes are part of the command-line contract (README "Exit codes"). */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  unreachable: 3,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface CliErrorOptions {
  hint?: string;
  exitCode?: ExitCodeValue;
  cause?: unknown;
}

/**
 * The one error type core code throws. Messages must never contain a secret value:
 * callers pass names, paths and rule descriptions only.
 */
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: ExitCodeValue;
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: CliErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CliError";
    this.code = code;
    this.exitCode = options.exitCode ?? ExitCode.usage;
    this.hint = options.hint;
  }
}

export const usageError = (code: string, message: string, hint?: string): CliError => new CliError(code, message, { exitCode: ExitCode.usage, hint });

export const unreachableError = (code: string, message: string, hint?: string, cause?: unknown): CliError =>
  new CliError(code, message, { exitCode: ExitCode.unreachable, hint, cause });

export const isCliError = (e: unknown): e is CliError => e instanceof CliError;
