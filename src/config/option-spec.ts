import { usageError } from "../core/errors.js";

/** Every command and option as data: cli.ts makes commander definitions of it; the layers, `config show` and the README's twin table read it. */
export interface OptionSpec {
  readonly flags: string;
  readonly description: string;
  readonly choices?: readonly string[];
  readonly default?: string;
  readonly parse?: "positive-int" | "list";
  /** Printing a value or abandoning a rotation: no twin, no file key. */
  readonly cliOnly?: boolean;
  /** Handed to the store as `ctx.options`. */
  readonly provider?: boolean;
  /** The help heading it is listed under (`AWS options:`); the command's own options have none. */
  readonly group?: string;
  /** Accepted but not listed in help. */
  readonly hidden?: boolean;
}

export interface CommandSpec {
  readonly name: string;
  readonly args?: string;
  readonly description: string;
  readonly options: readonly OptionSpec[];
  /** Not in help or completions: the shell scripts' own helpers. */
  readonly hidden?: boolean;
  /** Shown at the end of `--help`: real command lines, each with what it does. */
  readonly examples?: readonly (readonly [command: string, what: string])[];
}

const keys = new Map<string, string>();

/** commander's attribute name: `--kv-version` → `kvVersion`, `--no-color` → `color`. Asked ~260 times by a start of `validate local`, so kept per flags. */
export function keyOf(spec: Pick<OptionSpec, "flags">): string {
  let key = keys.get(spec.flags);
  if (key === undefined) {
    key = (spec.flags.split(/[ ,]/)[0] ?? "").replace(/^--(no-)?/, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    keys.set(spec.flags, key);
  }
  return key;
}

export const takesValue = (spec: Pick<OptionSpec, "flags">): boolean => /[<[]/.test(spec.flags);

export const isNegated = (spec: Pick<OptionSpec, "flags">): boolean => spec.flags.startsWith("--no-");

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw usageError("BAD_OPTION", `expected a positive whole number, got "${value}"`);
  return n;
}
