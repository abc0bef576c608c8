import dotenv from "dotenv";
import { usageError } from "../core/errors.js";

export interface DotenvPair {
  readonly key: string;
  readonly value: string;
}

const KEY = /^[\w.-]+$/;
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Each value in the plainest spelling `dotenv.parse` reads back unchanged (bare, 'single', "double",
 * `backtick`); a value or name dotenv has no spelling for is refused (UNSPELLABLE_VALUE), never
 * written in a form dotenv would read as something else.
 */
export function formatDotenv(pairs: readonly DotenvPair[]): string {
  const text = pairs.map(({ key, value }) => `${formatLine(key, value)}\n`).join("");
  const back = dotenv.parse(text);
  const last = new Map(pairs.map((p) => [p.key, p.value]));
  const differs = [...last].find(([key, value]) => !Object.hasOwn(back, key) || back[key] !== value);
  if (differs) throw unspellable(differs[0]);
  return text;
}

function formatLine(key: string, value: string): string {
  if (!KEY.test(key)) {
    throw usageError("INVALID_KEY", `cannot write key ${JSON.stringify(key)} to a .env file: dotenv keys match [A-Za-z0-9_.-]+`);
  }
  if (LONE_SURROGATE.test(value)) throw unspellable(key);
  const doubled = value.replace(/\n/g, "\\n").replace(/\r/g, "\\r");
  // A bare value starting with a quote could pair with a quote on a later line; a quoted one ending
  // in a backslash escapes its own closing quote. Both are checked alone, so neither is offered.
  const bare = /^['"`]/.test(value) ? [] : [`${key}=${value}`];
  const quoted = value.endsWith("\\") ? [] : [`${key}='${value}'`, `${key}="${doubled}"`, `${key}=\`${value}\``];
  const spellings = value.includes("$") ? [...quoted, ...bare] : [...bare, ...quoted];
  const chosen = spellings.find((line) => {
    const read = dotenv.parse(line);
    return Object.keys(read).length === 1 && Object.hasOwn(read, key) && read[key] === value;
  });
  if (chosen === undefined) throw unspellable(key);
  return chosen;
}

const unspellable = (key: string) =>
  usageError(
    "UNSPELLABLE_VALUE",
    `cannot write ${key} to a .env file: dotenv has no spelling that reads back as its value`,
    "keep this value out of .env files",
  );
