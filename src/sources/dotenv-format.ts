import { usageError } from "../core/errors.js";
import { scanDotenv, VALID_KEY } from "./dotenv-scan.js";

export interface DotenvPair {
  readonly key: string;
  readonly value: string;
}

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Writes pairs so `parseDotenv` reads back exactly the same values. Each value gets the plainest
 * spelling dotenv itself reads the same way: bare, then 'single', "double" (`\n`, `\r` escapes),
 * `backtick`. Values containing `$` prefer single quotes so expanding readers leave them alone.
 * A value none of those can hold (say a carriage return next to a `"`, or all three quote kinds
 * and a newline) is written as `KEY:"<JSON string>"`, which only our parser reads; dotenv skips it.
 */
export function formatDotenv(pairs: readonly DotenvPair[]): string {
  return pairs.map(({ key, value }) => `${formatLine(key, value)}\n`).join("");
}

function formatLine(key: string, value: string): string {
  if (!VALID_KEY.test(key)) {
    throw usageError("INVALID_KEY", `cannot write key ${JSON.stringify(key)} to a .env file: keys match [A-Za-z_][A-Za-z0-9_.-]*`);
  }
  const doubled = value.replace(/\n/g, "\\n").replace(/\r/g, "\\r");
  const bare = `${key}=${value}`;
  // A quoted spelling ending in a backslash escapes its own closing quote, so whatever line
  // follows could extend the value; such values go bare or to JSON.
  const quoted = value.endsWith("\\") ? [] : [`${key}='${value}'`, `${key}="${doubled}"`, `${key}=\`${value}\``];
  const spellings = value.includes("$") ? [...quoted, bare] : [bare, ...quoted];
  // A lone surrogate cannot be written as UTF-8: JSON spells it as \uXXXX.
  const chosen = LONE_SURROGATE.test(value) ? undefined : spellings.find((line) => readsBack(line, key, value));
  return (
    chosen ??
    `${key}:${JSON.stringify(value)
      .replace(/\u2028/g, "\\u2028")
      .replace(/\u2029/g, "\\u2029")}`
  );
}

/** Every spelling is checked with the real parser, so the writer cannot drift from the reader. */
function readsBack(line: string, key: string, value: string): boolean {
  const { assignments, problems } = scanDotenv(line);
  const only = assignments[0];
  return problems.length === 0 && assignments.length === 1 && only?.key === key && only.value === value;
}
