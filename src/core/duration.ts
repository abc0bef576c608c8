import { usageError } from "./errors.js";

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 } as const;
// Largest unit first, each at most once: "1h30m" reads one way only, "30m1h" is a typo worth catching.
const SHAPE = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** `90s`, `30m`, `2h`, `7d`, `1h30m` → milliseconds. Anything else is a usage error naming the option. */
export function parseDuration(text: string, option = "duration"): number {
  const match = SHAPE.exec(text.trim());
  if (!match || text.trim() === "") {
    throw usageError("BAD_DURATION", `${option} "${text}" is not a duration`, "use a number with a unit: 90s, 30m, 2h, 7d, or combined like 1h30m");
  }
  const [, d, h, m, s] = match;
  const ms = Number(d ?? 0) * UNIT_MS.d + Number(h ?? 0) * UNIT_MS.h + Number(m ?? 0) * UNIT_MS.m + Number(s ?? 0) * UNIT_MS.s;
  if (!Number.isSafeInteger(ms)) throw usageError("BAD_DURATION", `${option} "${text}" is too long`, "use at most a few thousand days");
  return ms;
}

/** The shortest exact spelling, for messages: 5400000 → "1h30m". */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  let rest = Math.floor(ms / 1000);
  let out = "";
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) out += `${n}${unit}`;
  }
  return out;
}
