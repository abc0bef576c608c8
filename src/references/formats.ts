import { usageError } from "../core/errors.js";
import { formatDotenv } from "../sources/dotenv.js";

export interface Pair {
  readonly key: string;
  readonly value: string;
}

export const EXPORT_FORMATS = ["dotenv", "json", "shell", "github"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const badName = (key: string, format: string) =>
  usageError("INVALID_KEY", `cannot export ${JSON.stringify(key)} as ${format}: a variable name matches [A-Za-z_][A-Za-z0-9_]*`, "rename the key");

/** `export KEY='…'`, each value single-quoted (nothing inside is special to sh but `'`, spelled `'\''`). */
export function formatShell(pairs: readonly Pair[]): string {
  return pairs
    .map(({ key, value }) => {
      if (!SHELL_NAME.test(key)) throw badName(key, "shell");
      return `export ${key}='${value.replace(/'/g, "'\\''")}'\n`;
    })
    .join("");
}

export const formatJson = (pairs: readonly Pair[]): string => `${JSON.stringify(Object.fromEntries(pairs.map((p) => [p.key, p.value])), null, 2)}\n`;

export const formatDotenvPairs = (pairs: readonly Pair[]): string => formatDotenv(pairs);

/** Workflow-command data escaping, so a value cannot end the command or start another one. */
const escapeData = (text: string): string => text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");

/**
 * The runner masks a multi-line value only line by line, so each line is registered as well as the
 * whole; `$GITHUB_ENV` gets `KEY<<DELIMITER` blocks with a delimiter found in no value.
 */
export function formatGithub(pairs: readonly Pair[], delimiter: (attempt: number) => string): { masks: string; envFile: string } {
  const masks = new Set<string>();
  let envFile = "";
  for (const { key, value } of pairs) {
    if (!SHELL_NAME.test(key)) throw badName(key, "github");
    for (const piece of [value, ...value.split(/\r?\n/)]) if (piece.trim() !== "") masks.add(`::add-mask::${escapeData(piece)}\n`);
    let attempt = 0;
    let end = delimiter(attempt);
    while (value.includes(end) || key.includes(end)) end = delimiter(++attempt);
    envFile += `${key}<<${end}\n${value}\n${end}\n`;
  }
  return { masks: [...masks].join(""), envFile };
}
