/*
 * Where a .env text can be cut so that dotenv.parse of each piece, merged, equals dotenv.parse of
 * the whole. dotenv's pattern starts a match only at a line's start, and a match crosses a line end
 * only through blanks or through a quoted value. So a cut is made only at the start of a line that
 * begins with a key character (no blank, quote or `#` the match before could take in), where the
 * last character that is not blank before it is not `:` (`KEY:` and a line break take the next line
 * as the value), and where no quote that may open a value is still open. (After `KEY=` and a line
 * break the pattern takes an empty value: its lazy blanks grow only if that fails, and it never does.
 * After `export` and a line break it may take the next line's key, but then reads that line as the
 * next piece does.)
 *
 * A quote may open a value only where the last character that is not blank before it is `=` or `:`.
 * For each such quote, its body is scanned as the pattern's greedy `(?:\\q|[^q])*` would read it: the
 * quote that stops that scan is the last place a closing quote can be, whatever dotenv then picks, so
 * no cut is made before it. A quote never closed blocks every later cut: the rest is one piece.
 * `test/unit/dotenv-cuts.test.ts` checks the merged pieces against dotenv.parse of the whole.
 */

const QUOTES = [0x27, 0x22, 0x60]; // ' " `
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const EQUALS = 0x3d;
const COLON = 0x3a;

/** `[\w.-]`: what dotenv's key is made of. */
function isKeyChar(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f || code === 0x2e || code === 0x2d;
}

/** `\s` in a JavaScript pattern: ASCII blanks quickly, the rest by the same rule. */
function isBlank(code: number): boolean {
  if (code === 32 || (code >= 9 && code <= 13)) return true;
  return code > 127 && /\s/.test(String.fromCharCode(code));
}

/** What ends a line for the pattern's `^` and `$`. */
const endsLine = (code: number) => code === NEWLINE || code === 0x2028 || code === 0x2029;

interface OpenQuote {
  /** Where its body scan has got to. */
  at: number;
  /** Whether the body so far holds a line end. */
  crossed: boolean;
}

/**
 * Takes text in order (CRLF and lone CR already made LF, as dotenv.parse makes them) and gives it
 * back in pieces that each end at a safe cut. Holds only the text since the last piece it gave.
 */
export class DotenvCutter {
  private text = "";
  /** Everything before this in `text` has been looked at. */
  private at = 0;
  /** The last character before `at` that is not blank, as a code (0: none yet). */
  private lastSolid = 0;
  /** Each quote that may open a value and is not closed yet. */
  private readonly open = new Map<number, OpenQuote>();
  /**
   * A quote that closed a body on the same line it opened: it cannot open a value (a value opens
   * right after its key's separator, with no quote between the line's start and it).
   */
  private closing = -1;
  private lastCut = 0;

  constructor(private readonly pieceSize = 256 * 1024) {}

  /** The pieces complete once `more` is added; the rest waits for more text or `end()`. */
  push(more: string): string[] {
    this.text += more;
    this.scan();
    if (this.lastCut === 0 || this.at < this.pieceSize) return [];
    const piece = this.text.slice(0, this.lastCut);
    this.shift(this.lastCut);
    return [piece];
  }

  /** What is left: the last piece. */
  end(): string {
    const rest = this.text;
    this.text = "";
    this.at = 0;
    this.lastCut = 0;
    return rest;
  }

  private shift(by: number): void {
    this.text = this.text.slice(by);
    this.at -= by;
    this.closing -= by;
    this.lastCut = 0;
    for (const quote of this.open.values()) quote.at -= by;
  }

  private scan(): void {
    const { text } = this;
    // The last character waits for the one after it (a key character, or the quote after a backslash).
    const stop = text.length - 1;
    let at = this.at;
    for (; at < stop; at++) {
      if (this.open.size > 0 && !this.followOpen(at)) break;
      const code = text.charCodeAt(at);
      if (code === NEWLINE && this.open.size === 0 && this.cutAllowedBefore(text.charCodeAt(at + 1))) this.lastCut = at + 1;
      if (isBlank(code)) continue;
      const opens = (this.lastSolid === EQUALS || this.lastSolid === COLON) && at !== this.closing;
      if (opens && QUOTES.includes(code) && !this.open.has(code)) this.open.set(code, { at: at + 1, crossed: false });
      this.lastSolid = code;
    }
    this.at = at;
  }

  private cutAllowedBefore(next: number): boolean {
    return isKeyChar(next) && this.lastSolid !== COLON;
  }

  /**
   * Moves every open quote's body scan up to `at`, the pattern's greedy way: `\q` is taken as a pair,
   * and an unpaired quote ends it. False when the text ends before a scan can tell.
   */
  private followOpen(at: number): boolean {
    const { text } = this;
    for (const [quote, body] of this.open) {
      let j = body.at;
      while (j <= at) {
        const code = text.charCodeAt(j);
        if (code === BACKSLASH) {
          if (j + 1 >= text.length) break;
          j += text.charCodeAt(j + 1) === quote ? 2 : 1;
        } else if (code === quote) {
          this.open.delete(quote);
          if (!body.crossed) this.closing = j;
          break;
        } else {
          body.crossed ||= endsLine(code);
          j++;
        }
      }
      body.at = j;
      if (this.open.has(quote) && j <= at) return false;
    }
    return true;
  }
}
