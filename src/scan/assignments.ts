/** A value assigned to a name on one line: `KEY=value`, `key: value`, `"key": "value"`, `apiKey = '…'`. */
export interface Assignment {
  readonly key: string;
  readonly value: string;
  /** Offset of the value in the line. */
  readonly start: number;
}

const KEY = "[A-Za-z_][A-Za-z0-9_.-]*";
/** `"key": "v"`, `key = 'v'`, `'key' => "v"`, `key := "v"`: a quoted value anywhere on the line. */
const QUOTED = new RegExp(`(?<![A-Za-z0-9_.-])(["'\`]?)(${KEY})\\1\\s*(?::=|=>|=|:)\\s*(["'\`])((?:\\\\.|(?!\\3)[^\\\\])*)\\3`, "g");
/** `KEY=value`, `key: value # note`, `export KEY=value`, `- key: value`: unquoted, at the start of the line. */
const BARE = new RegExp(`^\\s*(?:(?:export|ENV|ARG|set)\\s+|-\\s+)?(${KEY})\\s*[:=][ \\t]*([^\\s'"\`#][^\\r\\n]*?)\\s*(?:\\s#.*)?$`);
/** Schemes that put a token after a word (`Authorization: Bearer …`): the token is the value. */
const SCHEME = /^(?:Bearer|Basic|Token)\s+/i;

/**
 * Every assignment on a line. `bare` allows unquoted values, as configuration files write them;
 * source code only assigns secrets in string literals (an unquoted right-hand side there is code).
 */
export function assignments(line: string, bare: boolean): Assignment[] {
  const found: Assignment[] = [];
  QUOTED.lastIndex = 0;
  for (let m = QUOTED.exec(line); m !== null; m = QUOTED.exec(line)) {
    const value = m[4] ?? "";
    found.push(withoutScheme({ key: m[2] ?? "", value, start: m.index + m[0].length - 1 - value.length }));
  }
  if (bare) {
    const m = BARE.exec(line);
    const value = m?.[2];
    if (m && value !== undefined && !found.some((a) => a.key === m[1])) {
      found.push(withoutScheme({ key: m[1] ?? "", value: value.replace(/[,;]$/, ""), start: line.indexOf(value, line.indexOf(m[1] ?? "")) }));
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

function withoutScheme(a: Assignment): Assignment {
  const scheme = SCHEME.exec(a.value)?.[0];
  return scheme ? { ...a, value: a.value.slice(scheme.length), start: a.start + scheme.length } : a;
}

/** `- name: DB_PASSWORD` then `value: …` (Kubernetes, Compose, ECS): the value's name is the `name`. */
export const NAME_FIELD = /^(?:name|Name|key)$/;
export const VALUE_FIELD = /^(?:value|Value)$/;
