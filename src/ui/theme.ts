import { Chalk, type ChalkInstance } from "chalk";
import type { OutputStream } from "./output-stream.js";

export type Paint = (s: string) => string;

export interface Theme {
  readonly on: boolean;
  readonly red: Paint;
  readonly green: Paint;
  readonly yellow: Paint;
  readonly cyan: Paint;
  readonly dim: Paint;
  readonly bold: Paint;
}

export interface ColourChoice {
  readonly env: NodeJS.ProcessEnv;
  /** `false` from `--no-color`. */
  readonly flag?: boolean;
  /** `--json` output is data: never painted. */
  readonly json?: boolean;
}

/**
 * The one place that decides colour, per stream: `--no-color` and `NO_COLOR` always win, `FORCE_COLOR`
 * (not 0) turns it on even in a pipe, otherwise only a terminal outside CI gets colour.
 */
export function colourLevel(stream: OutputStream, choice: ColourChoice): 0 | 1 | 2 | 3 {
  const { env } = choice;
  if (choice.flag === false || choice.json || (env.NO_COLOR !== undefined && env.NO_COLOR !== "")) return 0;
  const forced = env.FORCE_COLOR;
  if (forced !== undefined && forced !== "") {
    if (forced === "0" || forced === "false") return 0;
    const n = Number(forced);
    return n === 2 || n === 3 ? n : 1;
  }
  if (!stream.isTTY || env.CI !== undefined || env.TERM === "dumb") return 0;
  return 1;
}

export function themeFor(stream: OutputStream, choice: ColourChoice): Theme {
  return makeTheme(new Chalk({ level: colourLevel(stream, choice) }));
}

function makeTheme(chalk: ChalkInstance): Theme {
  return {
    on: chalk.level > 0,
    red: (s) => chalk.red(s),
    green: (s) => chalk.green(s),
    yellow: (s) => chalk.yellow(s),
    cyan: (s) => chalk.cyan(s),
    dim: (s) => chalk.dim(s),
    bold: (s) => chalk.bold(s),
  };
}
