/** Shannon entropy of the string's characters, in bits per character. */
export function shannon(value: string): number {
  const counts = new Map<string, number>();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  const n = [...value].length;
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / n;
    bits -= p * Math.log2(p);
  }
  return bits;
}

const HEX = /^[0-9a-fA-F]+$/;

/**
 * Whether a value looks machine-generated. Hex needs 20 characters at 3 bits each (a random hex
 * string of that length scores about 3.7); anything else 16 characters at 3.5 bits and at least two
 * of lower case, upper case and digits, so a long word or a dashed slug does not pass for a key.
 */
export function looksRandom(value: string): boolean {
  const bits = shannon(value);
  if (HEX.test(value)) return value.length >= 20 && bits >= 3;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((r) => r.test(value)).length;
  return value.length >= 16 && bits >= 3.5 && classes >= 2;
}
