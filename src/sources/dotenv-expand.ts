/**
 * dotenv-expand style substitution, only when asked for (`expand: true`): off by default so a value
 * like `pa$$word` is migrated byte for byte. Supported: `$VAR`, `${VAR}`, `${VAR:-default}` (unset or
 * empty), `${VAR-default}` (unset), `\$` for a literal dollar. Anything else stays as written.
 */

/** Returns the value a name has at this point, or undefined when it is not set. */
export type Lookup = (name: string) => string | undefined;

const BRACED_NAME = /[A-Za-z_][A-Za-z0-9_.]*/y;
const BARE_NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

/** `report` receives variable names and rule descriptions only, never a value. */
export function expandValue(raw: string, lookup: Lookup, report: (message: string) => void): string {
  let out = "";
  let at = 0;
  while (at < raw.length) {
    const char = raw[at];
    if (char === "\\" && raw[at + 1] === "$") {
      out += "$";
      at += 2;
    } else if (char === "$" && raw[at + 1] === "{") {
      const braced = expandBraced(raw, at, lookup, report);
      out += braced.text;
      at = braced.next;
    } else {
      const name = char === "$" ? matchAt(BARE_NAME, raw, at + 1) : undefined;
      out += name === undefined ? char : resolve(name, lookup, report);
      at += name === undefined ? 1 : 1 + name.length;
    }
  }
  return out;
}

function expandBraced(raw: string, at: number, lookup: Lookup, report: (message: string) => void): { text: string; next: number } {
  const literal = { text: "$", next: at + 1 };
  const name = matchAt(BRACED_NAME, raw, at + 2);
  if (name === undefined) return literal;
  const afterName = at + 2 + name.length;
  if (raw[afterName] === "}") return { text: resolve(name, lookup, report), next: afterName + 1 };

  const operator = raw.startsWith(":-", afterName) ? ":-" : raw[afterName] === "-" ? "-" : undefined;
  const close = operator === undefined ? -1 : matchingBrace(raw, afterName + operator.length);
  if (operator === undefined || close === -1) {
    report(`\${${name}…} is not a form we expand (use \${NAME}, \${NAME:-default} or \${NAME-default}); it was kept as written`);
    return literal;
  }
  const current = lookup(name);
  const useDefault = current === undefined || (operator === ":-" && current === "");
  const text = useDefault ? expandValue(raw.slice(afterName + operator.length, close), lookup, report) : (current ?? "");
  return { text, next: close + 1 };
}

function resolve(name: string, lookup: Lookup, report: (message: string) => void): string {
  const value = lookup(name);
  if (value === undefined) report(`\${${name}} is not set, so it expands to an empty string`);
  return value ?? "";
}

/** Index of the `}` closing a `${`, counting nested `${…}` in a default. */
function matchingBrace(raw: string, from: number): number {
  let depth = 1;
  for (let at = from; at < raw.length; at++) {
    if (raw[at] === "$" && raw[at + 1] === "{") {
      depth++;
      at++;
    } else if (raw[at] === "}" && --depth === 0) {
      return at;
    }
  }
  return -1;
}

function matchAt(pattern: RegExp, text: string, at: number): string | undefined {
  pattern.lastIndex = at;
  return pattern.exec(text)?.[0];
}
