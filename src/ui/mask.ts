/**
 * The only way a value reaches a view. Long values keep a 3-character head and 4-character tail so a
 * person can tell `sk-…f3a9` from `pk-…0c1d`; anything shorter than 24 characters shows nothing,
 * because a few characters of a short password are a real share of it.
 */
export function mask(value: string): string {
  const chars = [...value];
  const length = `${chars.length} char${chars.length === 1 ? "" : "s"}`;
  if (chars.length < 24) return `•••• (${length})`;
  const head = chars.slice(0, 3).join("");
  const tail = chars.slice(-4).join("");
  return `${head}…${tail} (${length})`.replace(/[\r\n\t]/g, "·");
}
