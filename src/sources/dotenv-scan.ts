/** Where each assignment of a .env file sits, found with dotenv's own pattern; the value is dotenv.parse's to decide. */

// dotenv 16's LINE (lib/main.js); the judge test fails if a dotenv upgrade changes it.
const LINE = /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/gm;

const QUOTES = ["'", '"', "`"];

/** What every assignment of one file shares: warnings and scrubs read the rest lazily from it. */
interface ScannedText {
  /** With CRLF and lone CR made LF, as dotenv.parse sees it. */
  readonly text: string;
  readonly lines: LineIndex;
  readonly toOriginal: (offset: number) => number;
}

/**
 * One assignment. Only the key and its line are read for every one; a file of a hundred thousand
 * keys would otherwise build seven strings and numbers per key that only a warning or a scrub reads.
 */
export class Assignment {
  constructor(
    private readonly scanned: ScannedText,
    readonly key: string,
    /** 1-based; LF, CRLF and a lone CR each end a line, as dotenv counts them. */
    readonly line: number,
    private readonly matchAt: number,
    private readonly matchEnd: number,
    /** Where the value as written starts and ends, blanks around it excluded, in `scanned.text`. */
    private readonly from: number,
    private readonly to: number,
  ) {}

  get valueLine(): number {
    return this.scanned.lines.at(this.from);
  }

  get lastLine(): number {
    return this.scanned.lines.at(Math.max(this.from, this.to - 1));
  }

  get written(): string {
    return this.scanned.text.slice(this.from, this.to);
  }

  /** The value's first character as written, "" for none: a quote opens it. */
  get opening(): string {
    return this.from < this.to ? (this.scanned.text[this.from] ?? "") : "";
  }

  /** UTF-16 offsets in the original text, before any CRLF change. */
  get start(): number {
    return this.scanned.toOriginal(this.from);
  }

  get end(): number {
    return this.scanned.toOriginal(this.to);
  }

  /** `dotenv.parse(matched)` is what this line alone gives. */
  get matched(): string {
    return this.scanned.text.slice(this.matchAt, this.matchEnd);
  }

  /** `KEY=abc#def`: cut short by a `#` with no blank before it. */
  get hashCut(): boolean {
    const { text } = this.scanned;
    const end = this.valueEnd();
    return text[end] === "#" && !/\s/.test(text[end - 1] ?? "") && !QUOTES.includes(this.opening);
  }

  /** The end of the value group, trailing blanks included: where dotenv's comment would start. */
  private valueEnd(): number {
    const { text } = this.scanned;
    let end = this.to;
    while (end < this.matchEnd && /\s/.test(text[end] ?? "")) end++;
    return end;
  }
}

export interface DotenvScan {
  readonly assignments: Assignment[];
  readonly ignored: number[];
}

/** `firstLine`: the line the text starts on, where it is a piece of a larger file (dotenv-stream.ts). */
export function scanDotenv(source: string, firstLine = 1): DotenvScan {
  // A file without a CR is nearly every file: no pass over it to change nothing.
  const text = source.includes("\r") ? source.replace(/\r\n?/g, "\n") : source;
  const scanned: ScannedText = { text, lines: new LineIndex(text, firstLine), toOriginal: originalOffsets(source) };
  const { lines } = scanned;
  const assignments: Assignment[] = [];
  const ignored: number[] = [];
  let covered = 0;
  let line = firstLine;
  LINE.lastIndex = 0;
  for (let m = LINE.exec(text); m !== null; m = LINE.exec(text)) {
    if (!blank(text, covered, m.index)) ignored.push(...ignoredLines(text, covered, m.index, lines));
    covered = m.index + m[0].length;
    const key = m[1] ?? "";
    const keyAt = keyStart(text, m.index, key);
    const from = keyAt + key.length + separatorLength(text, keyAt + key.length);
    const end = m[2] === undefined ? from : from + m[2].length;
    let start = from;
    while (start < end && isBlank(text.charCodeAt(start))) start++;
    let stop = end;
    while (stop > start && isBlank(text.charCodeAt(stop - 1))) stop--;
    line = lines.from(line, keyAt);
    assignments.push(new Assignment(scanned, key, line, m.index, covered, start, stop));
  }
  ignored.push(...ignoredLines(text, covered, text.length, lines));
  return { assignments, ignored };
}

/*
 * Where the pattern's groups lie, found without the `d` flag (its index arrays cost four allocations
 * per line of a file of a hundred thousand). The pattern takes every blank before the key; it takes
 * `export` and its blanks whenever the key then follows (an optional group is tried first, and the
 * other reading, the key `export`, could then have no separator after it); the separator is blanks
 * and `=`, or `:` and one blank, and the value group, where there is one, starts right after it (the
 * group or an empty value already matches there, so the lazy blanks never grow). The judge test and
 * the scrub tests read these spans back through dotenv.
 */
function keyStart(text: string, at: number, key: string): number {
  const p = pastBlanks(text, at);
  if (text.startsWith("export", p) && isBlank(text.charCodeAt(p + 6))) {
    const q = pastBlanks(text, p + 6);
    if (text.startsWith(key, q)) return q;
  }
  return p;
}

function separatorLength(text: string, at: number): number {
  return text[at] === ":" ? 2 : pastBlanks(text, at) - at + 1;
}

function pastBlanks(text: string, at: number): number {
  let p = at;
  while (isBlank(text.charCodeAt(p))) p++;
  return p;
}

/** What String.prototype.trim removes: ASCII blanks quickly, the rest by the same rule. */
function isBlank(code: number): boolean {
  if (code === 32 || (code >= 9 && code <= 13)) return true;
  return code > 127 && /\s/.test(String.fromCharCode(code));
}

/** Between two assignments there is usually only a newline: no line to look at for dotenv to ignore. */
function blank(text: string, from: number, to: number): boolean {
  for (let at = from; at < to; at++) if (!isBlank(text.charCodeAt(at))) return false;
  return true;
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

  constructor(
    text: string,
    private readonly first: number,
  ) {
    for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) this.starts.push(at + 1);
  }

  /** `at(offset)` for an offset at or after the start of line `line`: keys come in order, so a walk forward from the last one is shorter than a search. */
  from(line: number, offset: number): number {
    let at = line - this.first + 1;
    while (at < this.starts.length && (this.starts[at] ?? 0) <= offset) at++;
    return at + this.first - 1;
  }

  at(offset: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return low + this.first;
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
