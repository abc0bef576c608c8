import { digits as count } from "./digits.js";

/** `migrating 1,200/5,000 · 410/s · about 9 s left`: the rate from the start of the writes, not the planning. */
export function rateLine(verb: string, done: number, total: number, elapsedMs: number): string {
  const base = `${verb} ${count(done)}/${count(total)}`;
  // Under a second and a handful of writes the rate is noise.
  if (elapsedMs < 1000 || done === 0) return `${base}…`;
  const perSecond = done / (elapsedMs / 1000);
  const left = Math.ceil((total - done) / perSecond);
  return `${base} · ${count(Math.round(perSecond))}/s · about ${left < 60 ? `${left} s` : `${Math.ceil(left / 60)} min`} left`;
}

/** `planned 84,211 / ~241,608 secrets…`; the estimate only while it is still ahead of the count. */
export const plannedLine = (n: number, expected = 0) => `planned ${count(n)}${expected > n ? ` / ~${count(expected)}` : ""} secrets…`;
