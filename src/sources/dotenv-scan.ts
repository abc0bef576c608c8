/** Where each assignment of a .env file sits, found with dotenv's own pattern; the value is dotenv.parse's to decide. */

// dotenv 16's LINE (lib/main.js) plus `d`; the judge test fails if a dotenv upgrade changes it.
const LINE = /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/dgm;

const SEPARATOR = /^\s*=|^:\s/;

export interface Assignment {
  readonly key: string;
  /** 1-based; LF, CRLF and a lone CR each end a line, as dotenv counts them. */
  readonly line: number;
  readonly valueLine: number;
  readonly lastLine: number;
  readonly written: string;
  /** UTF-16 offsets in the original text, before any CRLF change. */
  readonly start: number;
  readonly end: number;
  /** `dotenv.parse(matched)` is what this line alone gives. */
  readonly matched: string;
  /** `KEY=abc#def`: cut short by a `#` with no blank before it. */
  readonly hashCut: boolean;
}

export interface DotenvScan {
  readonly assignments: Assignment[];
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
