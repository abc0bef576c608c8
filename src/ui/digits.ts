/**
 * `1,234,567`, as `toLocaleString("en-US")` writes a whole number: grouped by hand, because a
 * process's first `toLocaleString` loads ICU's number data, ~20 ms of a command's start-up.
 */
export function digits(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString("en-US");
  return String(n).replace(/\B(?=(\d{3})+$)/g, ",");
}
