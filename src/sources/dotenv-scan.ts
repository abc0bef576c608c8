/**
 * The dotenv grammar, read the way dotenv's own `parse` (v16+, its LINE regex) reads it, but line by
 * line so every problem has a line number. Where dotenv would silently guess (an unclosed quote,
 * text after a closing quote), we report a problem and skip the line instead of migrating a guess.
 */

export type Quote = "'" | '"' | "`" | "" | "json";

export interface Assignment {
  readonly key: string;
  readonly value: string;
  readonly line: number;
  readonly quote: Quote;
}

export interface Problem {
  readonly line: number;
  readonly message: string;
}

export const VALID_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

// `KEY=`, `KEY =`, `export KEY=`, `KEY: ` (dotenv wants whitespace after the colon) and our own
// `KEY:"json"` form, which dotenv ignores and formatDotenv uses only for values dotenv cannot hold.
const HEAD = /^\s*(?:export\s+)?([^\s=:#]+)(?:\s*=|:(?=\s|"))/;
const SKIP = /^\s*(?:#|$)/;
const TAIL = /^\s*(?:#.*)?$/s;
const LINE_END = /[\n\u2028\u2029]/g;

export function scanDotenv(source: string): { assignments: Assignment[]; problems: Problem[] } {
  const text = (source.startsWith("\uFEFF") ? source.slice(1) : source).replace(/\r\n?/g, "\n");
  const assignments: Assignment[] = [];
  const problems: Problem[] = [];
  let pos = 0;
  let line = 1;
  while (pos < text.length) {
    const next = readLine(text, pos, line, assignments, problems);
    line += countNewlines(text, pos, next);
    pos = next;
  }
  return { assignments, problems };
}

/** Reads the line starting at `pos` (and, for a quoted value, the lines it spans); returns where the next line starts. */
function readLine(text: string, pos: number, line: number, out: Assignment[], problems: Problem[]): number {
  const lineEnd = endOfLine(text, pos);
  const lineText = text.slice(pos, lineEnd);
  if (SKIP.test(lineText)) return lineEnd + 1;
  const head = HEAD.exec(lineText);
  if (!head) {
    problems.push({ line, message: "not a KEY=value line" });
    return lineEnd + 1;
  }
  const key = head[1] ?? "";
  if (!VALID_KEY.test(key)) {
    problems.push({ line, message: "not a valid key name (keys match [A-Za-z_][A-Za-z0-9_.-]*)" });
    return lineEnd + 1;
  }
  let start = pos + head[0].length;
  if (head[0].endsWith(":") && text[start] === '"') return readJson(text, key, start, line, out, problems);
  // dotenv's value runs through U+2028/U+2029 (whitespace to a regex) up to the next real newline.
  const valueEnd = endOfRow(text, start);
  while (start < valueEnd && /\s/.test(text[start] ?? "")) start++;
  const first = text[start];
  if (first === "'" || first === '"' || first === "`") return readQuoted(text, key, start, line, out, problems);

  const raw = text.slice(start, valueEnd);
  const hash = raw.indexOf("#");
  if (hash >= 0 && !/\s/.test(text[start + hash - 1] ?? "")) {
    problems.push({
      line,
      message: `${key}: the unquoted value stops at '#' (dotenv reads the rest of the line as a comment); quote the value if the '#' belongs to it`,
    });
  }
  out.push({ key, value: (hash >= 0 ? raw.slice(0, hash) : raw).trim(), line, quote: "" });
  return hash >= 0 ? endOfLine(text, start + hash) + 1 : valueEnd + 1;
}

/**
 * dotenv's quoted alternatives (`'(?:\\'|[^'])*'`) let a backslash-quote pass as content, and the
 * regex backtracks to an earlier backslash-quote when the furthest one is followed by junk. We try
 * the same closing candidates in the same order, so both readers agree on where the value ends.
 */
function readQuoted(text: string, key: string, open: number, line: number, out: Assignment[], problems: Problem[]): number {
  const quote = text[open] as "'" | '"' | "`";
  const candidates: number[] = [];
  let closed = false;
  for (let at = text.indexOf(quote, open + 1); at !== -1; at = text.indexOf(quote, at + 1)) {
    candidates.push(at);
    if (text[at - 1] !== "\\") {
      closed = true;
      break;
    }
  }
  for (const close of candidates.reverse()) {
    const end = endOfLine(text, close);
    if (!TAIL.test(text.slice(close + 1, end))) continue;
    let value = text.slice(open + 1, close);
    if (quote === '"') value = value.replace(/\\n/g, "\n").replace(/\\r/g, "\r");
    out.push({ key, value, line, quote });
    return end + 1;
  }
  problems.push({
    line,
    message: closed
      ? `${key}: unexpected text after the closing ${quote}; the line was skipped`
      : `${key}: the opening ${quote} is never closed; the line was skipped`,
  });
  return endOfLine(text, open) + 1;
}

/** `KEY:"…"`: one JSON string literal, so any value (a carriage return, every quote kind) has a spelling. */
function readJson(text: string, key: string, open: number, line: number, out: Assignment[], problems: Problem[]): number {
  const lineEnd = endOfLine(text, open);
  let close = open + 1;
  while (close < lineEnd && text[close] !== '"') close += text[close] === "\\" ? 2 : 1;
  let value: unknown;
  try {
    value = close < lineEnd ? JSON.parse(text.slice(open, close + 1)) : undefined;
  } catch {
    value = undefined;
  }
  if (typeof value !== "string" || !TAIL.test(text.slice(close + 1, lineEnd))) {
    problems.push({ line, message: `${key}: not a valid JSON string after '${key}:'; the line was skipped` });
  } else {
    out.push({ key, value, line, quote: "json" });
  }
  return lineEnd + 1;
}

/**
 * Where dotenv's `$` sees a line end: JavaScript regexes also end lines at U+2028 and U+2029, so
 * dotenv starts a new assignment after one of those in a comment or after a closing quote.
 */
function endOfLine(text: string, from: number): number {
  LINE_END.lastIndex = from;
  return LINE_END.exec(text)?.index ?? text.length;
}

function endOfRow(text: string, from: number): number {
  const at = text.indexOf("\n", from);
  return at === -1 ? text.length : at;
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let at = text.indexOf("\n", from); at !== -1 && at < to; at = text.indexOf("\n", at + 1)) count++;
  return count;
}
