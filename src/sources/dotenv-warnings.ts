import dotenv from "dotenv";
import { mask } from "../ui/mask.js";
import type { Assignment, DotenvScan } from "./dotenv-scan.js";

export interface Problem {
  readonly line: number;
  readonly message: string;
}

// A value dotenv read through its quoted alternative: the quote opens and closes it, nothing else.
const PROPERLY_QUOTED = new Map([
  ["'", /^'(?:\\'|[^'])*'$/],
  ['"', /^"(?:\\"|[^"])*"$/],
  ["`", /^`(?:\\`|[^`])*`$/],
]);
// A line inside a quoted value that looks like a conventional `NAME=` (not base64 ending in `=`, as in a PEM).
const ASSIGNMENT_INSIDE = /\n\s*(?:export\s+)?[A-Z_][A-Z0-9_]*\s*=/;

/** The value is always dotenv's (what the application gets), shown masked. */
export function dotenvWarnings(scan: DotenvScan, given: ReadonlyMap<string, string>): Problem[] {
  const problems: Problem[] = scan.ignored.map((line) => ({
    line,
    message: "dotenv ignores this line: it is not KEY=value, KEY: value (a blank after the colon) or a comment",
  }));
  const seen = new Map<string, number>();
  for (const a of scan.assignments) {
    const says = (message: string) => problems.push({ line: a.line, message: `${a.key}: ${message}` });
    const gives = () => `dotenv gives the app ${mask(lineValue(a))}`;
    if (!given.has(a.key) && !seen.has(a.key))
      says("dotenv never gives this name to the application (a JavaScript object cannot hold it), so it is not migrated");
    if (a.valueLine > a.line) says(`nothing follows the separator, so dotenv takes line ${a.valueLine} as the value; ${gives()}`);
    const quote = quoteProblem(a);
    if (quote) says(`${quote}; ${gives()}`);
    if (a.hashCut) says(`the value stops at '#' (dotenv reads the rest of the line as a comment); ${gives()}; quote the value if the '#' belongs to it`);
    const earlier = seen.get(a.key);
    if (earlier !== undefined && given.has(a.key)) {
      says(`set on line ${earlier} and again on line ${a.line}; dotenv gives the app the last one, ${mask(given.get(a.key) ?? "")}`);
    }
    seen.set(a.key, a.line);
  }
  return problems.sort((x, y) => x.line - y.line);
}

function quoteProblem(a: Assignment): string | undefined {
  const q = a.written[0];
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
