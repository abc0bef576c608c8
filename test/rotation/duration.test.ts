import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/core/duration.js";

describe("parseDuration", () => {
  it.each([
    ["90s", 90_000],
    ["30m", 1_800_000],
    ["2h", 7_200_000],
    ["7d", 604_800_000],
    ["1h30m", 5_400_000],
    ["1d2h3m4s", 93_784_000],
    ["0s", 0],
  ])("%s → %d ms", (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(["", "2", "h", "2x", "-1h", "1.5h", "30m1h", "1h1h", "2 h", "1w", "99999999999999999d"])("rejects %j with a usage error", (text) => {
    expect(() => parseDuration(text, "--grace-period")).toThrow(expect.objectContaining({ code: "BAD_DURATION", exitCode: 2 }));
  });

  it("formatDuration and parseDuration round-trip whole seconds", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000 }), (s) => parseDuration(formatDuration(s * 1000)) === s * 1000));
  });
});
