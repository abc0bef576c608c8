/** Between two objects of an array as JSON.stringify writes it. */
const BETWEEN = Buffer.from("},{");
/** Below this a line's text is decoded whole: V8 puts only strings over 128 KiB in its large-object space. */
const WHOLE_BELOW = 64 * 1024;

/**
 * `JSON.parse` of the JSON array in `bytes[from, to)`, without making it one string when it is large
 * and every element is an object: a string over 128 KiB costs V8 ~10× more per byte to make (its
 * large-object space), and a store line of a thousand secrets is ~300 KiB.
 *
 * The text is cut at each `},{` and each piece parsed alone. A cut inside a string leaves that piece
 * inside an unterminated string, and a cut inside a nested value leaves its brackets unbalanced:
 * either way JSON.parse refuses the piece, and the whole text is parsed as one string instead. So
 * the result is always JSON.parse's (test/unit/json-array.test.ts checks it against JSON.parse).
 */
export function parseJsonArray(bytes: Buffer, from: number, to: number, encoding: BufferEncoding, wholeBelow = WHOLE_BELOW): unknown {
  const whole = () => JSON.parse(bytes.toString(encoding, from, to)) as unknown;
  if (to - from < wholeBelow || bytes[from] !== 0x5b || bytes[from + 1] !== 0x7b || bytes[to - 2] !== 0x7d || bytes[to - 1] !== 0x5d) return whole();
  const out: unknown[] = [];
  // Each piece runs from its `{` to its `}`.
  for (let start = from + 1; ; ) {
    const cut = bytes.indexOf(BETWEEN, start);
    const last = cut < 0 || cut + BETWEEN.length > to - 1;
    const piece = parsed(bytes.toString(encoding, start, last ? to - 1 : cut + 1));
    if (piece === undefined) return whole();
    out.push(piece);
    if (last) return out;
    start = cut + 2;
  }
}

/** The piece's object, or undefined where it is not one whole object. */
function parsed(text: string): object | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
