import { L, NOTHING, PROHIBITED, RANDAL, SPACE, UNASSIGNED } from "./saslprep-tables.js";

type Ranges = Uint32Array;

function parse(table: string): Ranges {
  const bounds = table.split(" ").flatMap((r) => {
    const [a, b = a] = r.split("-");
    return [Number.parseInt(a ?? "", 16), Number.parseInt(b ?? "", 16)];
  });
  return Uint32Array.from(bounds);
}

const tables = {
  space: parse(SPACE),
  nothing: parse(NOTHING),
  prohibited: parse(PROHIBITED),
  unassigned: parse(UNASSIGNED),
  randal: parse(RANDAL),
  l: parse(L),
};

function inTable(code: number, ranges: Ranges): boolean {
  let lo = 0;
  let hi = ranges.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (code < (ranges[2 * mid] ?? 0)) hi = mid - 1;
    else if (code > (ranges[2 * mid + 1] ?? 0)) lo = mid + 1;
    else return true;
  }
  return false;
}

/**
 * Exactly as PostgreSQL's `pg_saslprep` (both libpq and the server use it), quirks included.
 * Undefined when SASLprep fails: PostgreSQL then uses the password's bytes as they are, as must we.
 */
export function pgSaslprep(password: string): string | undefined {
  // What reaches PBKDF2 is the UTF-8 encoding; a lone surrogate has already become U+FFFD there.
  const text = Buffer.from(password, "utf8").toString("utf8");
  if (/^[\x00-\x7f]*$/.test(text)) return text;
  const mapped: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (inTable(code, tables.space)) mapped.push(0x20);
    else if (!inTable(code, tables.nothing)) mapped.push(code);
  }
  if (mapped.length === 0) return undefined;
  if (mapped.some((c) => inTable(c, tables.prohibited) || inTable(c, tables.unassigned))) return undefined;
  if (mapped.some((c) => inTable(c, tables.randal))) {
    const edges = [mapped[0] ?? 0, mapped.at(-1) ?? 0];
    if (mapped.some((c) => inTable(c, tables.l)) || !edges.every((c) => inTable(c, tables.randal))) return undefined;
  }
  return String.fromCodePoint(...mapped).normalize("NFKC");
}
