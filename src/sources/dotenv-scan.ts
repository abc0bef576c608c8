/**
 * Where each assignment of a .env file sits. It decides no value (dotenv.parse does): it finds the
 * same assignments dotenv finds, with dotenv's own pattern, and records each one's line, the span of
 * its value in the file (so a later rewrite can replace exactly that text) and what warnings need.
 */

// dotenv 16's LINE (lib/main.js), plus `d` for match positions. The judge test feeds thousands of
// files to this scanner and to dotenv.parse, so a dotenv upgrade that changes the pattern fails there.
const LINE = /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/dgm;

/** What dotenv's separator takes when no value follows: `=` after any blanks, or `:` and one blank. */
const SEPARATOR = /^\s*=|^:\s/;

export interface Assignment {
  readonly key: string;
  /** Line of the key (1-based; LF, CRLF and a lone CR each end a line, as dotenv counts them). */
  readonly line: number;
  /** Line of the value's first non-blank character (later than `line` when the value starts on the next line). */
  readonly valueLine: number;
  /** Last line the value reaches. */
  readonly lastLine: number;
  /** The value as written, quotes included, trimmed (line endings as dotenv sees them: LF). */
  readonly written: string;
  /** `[start, end)` of the value as written, in the original text (UTF-16 offsets, before any CRLF change). */
  readonly start: number;
  readonly end: number;
  /** The whole assignment as dotenv matched it: `dotenv.parse(matched)` is what this line alone gives. */
  readonly matched: string;
  /** An unquoted value cut short by a `#` with no blank before it (`KEY=abc#def`). */
  readonly hashCut: boolean;
}

export interface DotenvScan {
  readonly assignments: Assignment[];
  /** Lines dotenv skips that are neither blank nor comments. */
  readonly ignored: number[];
}

export function scanDotenv(source: string): DotenvScan {
  const text = source.replace(/\r\n?/g, "\n");
  const lines = new LineIndex(text);
  const toOriginal = originalOffsets(source);
  const assignments: Assignment[] = [];
  const ignored: number[] = [];
  let covered = 0;
  LINE.lastIndex = 0;
  for (let m = LINE.exec(text); m !== null; m = LINE.exec(text)) {
    ignored.push(...ignoredLines(text, covered, m.index, lines));
    covered = m.index + m[0].length;
    const keyAt = m.indices?.[1]?.[0] ?? m.index;
    const group = m.indices?.[2];
    const keyEnd = m.indices?.[1]?.[1] ?? keyAt;
    const from = group ? group[0] : keyEnd + (SEPARATOR.exec(text.slice(keyEnd, keyEnd + m[0].length))?.[0].length ?? 0);
    const end = group ? group[1] : from;
    const raw = text.slice(from, end);
    const lead = raw.length - raw.trimStart().length;
    const trail = raw.length - raw.trimEnd().length;
    assignments.push({
      key: m[1] ?? "",
      line: lines.at(keyAt),
      valueLine: lines.at(from + lead),
      lastLine: lines.at(Math.max(from + lead, end - trail - 1)),
      written: raw.trim(),
      start: toOriginal(from + lead),
      end: toOriginal(Math.max(from + lead, end - trail)),
      matched: m[0],
      hashCut: text[end] === "#" && !/\s/.test(text[end - 1] ?? "") && !/^['"`]/.test(raw.trimStart()),
    });
  }
  ignored.push(...ignoredLines(text, covered, text.length, lines));
  return { assignments, ignored };
}

/** Text between matches: whatever is not blank or a comment there is a line dotenv never reads. */
function ignoredLines(text: string, from: number, to: number, lines: LineIndex): number[] {
  const out: number[] = [];
  // dotenv's `^` also starts a line after U+2028/U+2029, so those split pieces too.
  const piece = /[^\n\u2028\u2029]+/g;
  piece.lastIndex = from;
  for (let m = piece.exec(text); m !== null && m.index < to; m = piece.exec(text)) {
    const content = m[0].slice(0, to - m.index).trim();
    const line = lines.at(m.index);
    if (content !== "" && !content.startsWith("#") && out[out.length - 1] !== line) out.push(line);
  }
  return out;
}

class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) this.starts.push(at + 1);
  }

  at(offset: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  }
}

/** Maps an offset in the CRLF-normalised text back to the original: each CRLF before it was one character longer. */
function originalOffsets(source: string): (offset: number) => number {
  const collapsed: number[] = [];
  for (let at = source.indexOf("\r\n"); at !== -1; at = source.indexOf("\r\n", at + 2)) collapsed.push(at - collapsed.length);
  return (offset) => {
    let low = 0;
    let high = collapsed.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((collapsed[mid] ?? 0) < offset) low = mid + 1;
      else high = mid;
    }
    return offset + low;
  };
}
