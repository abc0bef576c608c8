import { expand } from "dotenv-expand";
import { usageError } from "../core/errors.js";
import { mask } from "../ui/mask.js";

const BUILT_IN = Object.getOwnPropertyNames(Object.prototype);
// dotenv-expand's own pattern, to name unset variables in warnings.
const REFERENCE = /(?<!\\)\${([^{}]+)}|(?<!\\)\$([A-Za-z_][A-Za-z0-9_]*)/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;

export interface ExpandNote {
  readonly key: string;
  readonly message: string;
}

/**
 * Exactly what dotenv-expand gives the application, computed on a copy (it writes into the env it is
 * given). A variable set in the environment wins over the file, as there, and that is reported.
 */
export function expandDotenv(
  parsed: Readonly<Record<string, string>>,
  environment: Readonly<Record<string, string | undefined>>,
): { values: Map<string, string>; notes: ExpandNote[] } {
  const processEnv: Record<string, string | undefined> = Object.create(null);
  for (const [name, value] of Object.entries(environment)) if (value !== undefined) processEnv[name] = value;
  const notes: ExpandNote[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    const outside = processEnv[key];
    if (outside && outside !== value)
      notes.push({ key, message: `also set in the environment; --expand, like dotenv-expand, takes that value, ${mask(outside)}` });
    for (const name of references(value)) {
      if (!processEnv[name] && !Object.hasOwn(parsed, name))
        notes.push({ key, message: `\${${NAME.test(name) ? name : "…"}} is not set in the file or the environment, so it expands to an empty string` });
    }
  }
  guardBuiltIns(parsed, processEnv);
  const { parsed: expanded } = expand({ parsed: { ...parsed }, processEnv: processEnv as Record<string, string> });
  return { values: new Map(Object.entries(expanded ?? {})), notes };
}

/** `constructor` and friends always exist on a plain object, and a reference to one never set hangs dotenv-expand. */
function guardBuiltIns(parsed: Readonly<Record<string, string>>, processEnv: Record<string, string | undefined>): void {
  const texts = [...Object.values(parsed), ...Object.values(processEnv)];
  for (const name of BUILT_IN) {
    if (Object.hasOwn(processEnv, name)) continue;
    if (!Object.hasOwn(parsed, name)) {
      processEnv[name] = "";
    } else if (texts.some((text) => text?.includes("$") && text.includes(name))) {
      throw usageError(
        "EXPAND_BUILT_IN_NAME",
        `--expand: a value refers to ${name}, a name dotenv-expand cannot look up (it is built into every JavaScript object)`,
        `rename ${name}, or run without --expand`,
      );
    }
  }
}

function references(value: string): string[] {
  const names: string[] = [];
  for (const m of value.matchAll(REFERENCE)) {
    const expression = m[1] ?? m[2] ?? "";
    // Only plain references: `${A:-default}`, `${A-default}` and `${A:+alt}` say what happens when A is unset.
    if (!/:\+|\+|:-|-/.test(expression)) names.push(expression);
  }
  return names;
}
