import dotenv from "dotenv";
import { mask } from "../ui/mask.js";
import type { LastAssignments } from "./dotenv-last.js";
import type { Assignment, DotenvScan } from "./dotenv-scan.js";

export interface Problem {
  readonly line: number;
  readonly message: string;
  /** What a file read in pieces (dotenv-stream.ts) must judge across them: a key set again, or one dotenv drops. */
  readonly across?: { readonly key: string; readonly kind: "repeat" | "dropped" };
}

// A value dotenv read through its quoted alternative: the quote opens and closes it, nothing else.
const PROPERLY_QUOTED = new Map([
  ["'", /^'(?:\\'|[^'])*'$/],
  ['"', /^"(?:\\"|[^"])*"$/],
  ["`", /^`(?:\\`|[^`])*`$/],
]);
// A line inside a quoted value that looks like a conventional `NAME=` (not base64 ending in `=`, as in a PEM).
const ASSIGNMENT_INSIDE = /\n\s*(?:export\s+)?[A-Z_][A-Z0-9_]*\s*=/;

/** What dotenv.parse gave, looked up in its own object: copying a hundred thousand keys into a Map costs more than reading them. */
export interface Given {
  get(key: string): string | undefined;
}

/**
 * The value is always dotenv's (what the application gets), shown masked. `last` holds, for each key
 * dotenv gives, the index of its last assignment: a key it lacks is one dotenv drops, and only a key
 * assigned twice needs remembering.
 */
export function dotenvWarnings(scan: DotenvScan, given: Given, last: LastAssignments): Problem[] {
  const problems: Problem[] = scan.ignored.map((line) => ({
    line,
    message: "dotenv ignores this line: it is not KEY=value, KEY: value (a blank after the colon) or a comment",
  }));
  const earlier = new Map<string, number>();
  scan.assignments.forEach((a, i) => {
    const kept = last.keeps(a.key, i);
    if (!kept && !earlier.has(a.key)) {
      says(problems, a, "dotenv never gives this name to the application (a JavaScript object cannot hold it), so it is not migrated", "dropped");
      earlier.set(a.key, a.line);
    }
    if (a.valueLine > a.line) says(problems, a, `nothing follows the separator, so dotenv takes line ${a.valueLine} as the value; ${gives(a)}`);
    const quote = quoteProblem(a);
    if (quote) says(problems, a, `${quote}; ${gives(a)}`);
    if (a.hashCut)
      says(problems, a, `the value stops at '#' (dotenv reads the rest of the line as a comment); ${gives(a)}; quote the value if the '#' belongs to it`);
    if (!kept || (last.isLast(a.key, i) && (earlier.size === 0 || !earlier.has(a.key)))) return;
    const before = earlier.get(a.key);
    if (before !== undefined) problems.push(repeated(a.key, before, a.line, given.get(a.key) ?? ""));
    earlier.set(a.key, a.line);
  });
  return problems.sort((x, y) => x.line - y.line);
}

const says = (problems: Problem[], a: Assignment, message: string, kind?: "dropped") =>
  problems.push({ line: a.line, message: `${a.key}: ${message}`, ...(kind ? { across: { key: a.key, kind } } : {}) });

/** `key` assigned on line `before` and again on `line`; `value` is the one dotenv gives. */
export const repeated = (key: string, before: number, line: number, value: string): Problem => ({
  line,
  message: `${key}: set on line ${before} and again on line ${line}; dotenv gives the app the last one, ${mask(value)}`,
  across: { key, kind: "repeat" },
});
const gives = (a: Assignment) => `dotenv gives the app ${mask(lineValue(a))}`;

function quoteProblem(a: Assignment): string | undefined {
  const q = a.opening;
  if (q !== "'" && q !== '"' && q !== "`") return undefined;
  if (PROPERLY_QUOTED.get(q)?.test(a.written)) {
    if (a.lastLine > a.valueLine && ASSIGNMENT_INSIDE.test(a.written)) {
      return `the ${q} quote opened on line ${a.valueLine} closes only on line ${a.lastLine}, taking in lines that look like assignments`;
    }
    return undefined;
  }
  if (a.written.length > 1 && a.written.endsWith(q)) return `a ${q} inside the value closes the quote early, so dotenv keeps the inner quotes`;
  if (a.written.indexOf(q, 1) > 0) return `text follows the closing ${q}, so dotenv keeps the quotes as part of the value`;
  return `the opening ${q} is never closed, so dotenv keeps it as part of the value`;
}

function lineValue(a: Assignment): string {
  const parsed = dotenv.parse(a.matched);
  return Object.hasOwn(parsed, a.key) ? (parsed[a.key] ?? "") : "";
}
