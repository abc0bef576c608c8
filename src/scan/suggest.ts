import { parseDotenv } from "../sources/dotenv.js";
import { parseStructured } from "../sources/structured.js";
import type { SourceEntry } from "../sources/types.js";
import { maskCredentials } from "../ui/mask.js";
import { words } from "./names.js";
import { describeLocation, type Finding, type Move } from "./types.js";
import { isDotenvName } from "./walk.js";

/** Quotes a word for a POSIX shell only when it needs it. */
export const shellWord = (word: string): string => (/^[\w./:@%+=,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`);

/**
 * The keys `migrate --from <file>` would read from this file, exactly as migrate reads them (dotenv's
 * parse, or the JSON/YAML flattening with `/`), or undefined for a file migrate cannot read.
 */
export function migratableEntries(text: string, path: string): SourceEntry[] | undefined {
  try {
    if (isDotenvName(path)) return parseDotenv(text, path).entries;
    if (/\.json$/i.test(path)) return parseStructured(text, path, "json").entries;
    if (/\.ya?ml$/i.test(path)) return parseStructured(text, path, "yaml").entries;
  } catch {
    // A file migrate would refuse: the value has to be moved by hand.
  }
  return undefined;
}

const squash = (s: string) => s.replace(/\\[rn]|\s/g, "");

/** The entry holding a value found at `line`: the nearest key at or above it whose value contains it. */
export function entryFor(entries: readonly SourceEntry[], line: number, value: string): SourceEntry | undefined {
  const wanted = squash(value);
  return entries
    .filter((e) => (e.origin.line ?? 0) <= line && !e.refused)
    .sort((a, b) => (b.origin.line ?? 0) - (a.origin.line ?? 0))
    .find((e) => squash(e.value).includes(wanted));
}

const envName = (name: string) => words(name).join("_").toUpperCase();

/**
 * A key migrate can read, or a name for the value once moved into .env by hand: the name it had
 * when that says something (`DB_PASSWORD`), else what the token is (`GITHUB_TOKEN` for `auth: ghp_…`).
 */
export function fileMove(path: string, entry: SourceEntry | undefined, key: string | undefined, rule: string): Move {
  if (entry) return { kind: "file", from: path, name: entry.key };
  const telling = key !== undefined && (words(key).length > 1 || rule === "generic-secret" || rule === "aws-secret-access-key");
  return { kind: "by-hand", name: envName(telling ? key : rule) || "SECRET" };
}

export const cellMove = (url: string, table: string, column: string, keyColumn: string): Move => ({
  kind: "cell",
  db: maskCredentials(url),
  table,
  column,
  keyColumn,
});

const keyFlag = (keyColumn: string) => (keyColumn === "id" ? "" : ` --key ${shellWord(keyColumn)}`);
const fromFile = (provider: string, from: string, names: Iterable<string>) =>
  `secrets migrate ${provider} --from ${shellWord(from)}${[...names].map((n) => ` --only ${shellWord(n)}`).join("")}`;

/** The command for one finding. A database URL shows with its password hidden: put yours back to run it. */
export function moveCommand(provider: string, move: Move): string {
  if (move.kind === "file") return fromFile(provider, move.from, [move.name]);
  if (move.kind === "cell") {
    return `secrets migrate ${provider} --db ${shellWord(move.db)} --table ${shellWord(move.table)} --columns ${shellWord(move.column)}${keyFlag(move.keyColumn)}`;
  }
  return `no migrate source reads this file: move the value into .env as ${move.name}, then ${fromFile(provider, ".env", [move.name])}`;
}

export interface Plan {
  /** One command per file and per table, naming every key or column found there. */
  readonly commands: string[];
  /** Values to move into .env by hand first, each with the name to give it, and the command after. */
  readonly byHand: { readonly location: string; readonly name: string }[];
  readonly afterHand: string | undefined;
}

export function movePlan(provider: string, findings: readonly Finding[]): Plan {
  const files = new Map<string, Set<string>>();
  const tables = new Map<string, { move: Move & { kind: "cell" }; columns: Set<string> }>();
  const byHand: Plan["byHand"] = [];
  for (const { move, location } of findings) {
    if (move.kind === "file") files.set(move.from, (files.get(move.from) ?? new Set()).add(move.name));
    else if (move.kind === "cell") {
      const id = JSON.stringify([move.db, move.table, move.keyColumn]);
      const group = tables.get(id) ?? { move, columns: new Set<string>() };
      tables.set(id, { ...group, columns: group.columns.add(move.column) });
    } else byHand.push({ location: describeLocation(location), name: move.name });
  }
  return {
    commands: [
      ...[...files].map(([from, names]) => fromFile(provider, from, names)),
      ...[...tables.values()].map(({ move, columns }) => moveCommand(provider, { ...move, column: [...columns].join(",") })),
    ],
    byHand,
    afterHand: byHand.length > 0 ? fromFile(provider, ".env", new Set(byHand.map((b) => b.name))) : undefined,
  };
}
