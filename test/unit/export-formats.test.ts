import { execFileSync } from "node:child_process";
import dotenv from "dotenv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatDotenvPairs, formatGithub, formatShell } from "../../src/references/formats.js";

const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);
// No NUL (no environment or shell can hold it) and no lone surrogates (not UTF-8).
const value = fc.string({ unit: "grapheme", maxLength: 40 }).filter((v) => !v.includes("\0"));
const pairs = fc.uniqueArray(fc.record({ key, value }), { selector: (p) => p.key, maxLength: 6 });

describe("export formats", () => {
  it("dotenv output reads back through dotenv.parse exactly, or is refused", () => {
    fc.assert(
      fc.property(pairs, (list) => {
        let text: string;
        try {
          text = formatDotenvPairs(list);
        } catch (error) {
          expect((error as { code?: string }).code).toBe("UNSPELLABLE_VALUE");
          return;
        }
        expect(dotenv.parse(text)).toEqual(Object.fromEntries(list.map((p) => [p.key, p.value])));
      }),
      { numRuns: 300 },
    );
  });

  it("shell output evaluated by sh gives back every value byte for byte", () => {
    fc.assert(
      fc.property(pairs, (list) => {
        const script = `${formatShell(list)}${list.map((p) => `printf '%s\\0' "$${p.key}"`).join("\n")}`;
        const out = execFileSync("sh", ["-c", 'eval "$(cat)"'], { input: script, env: { PATH: process.env.PATH } }).toString("utf8");
        expect(out).toBe(list.map((p) => `${p.value}\0`).join(""));
      }),
      { numRuns: 40 },
    );
  });

  it("github: a heredoc per value with a delimiter found in no value, and a mask per line", () => {
    const taken = "ghadelimiter_0";
    const { masks, envFile } = formatGithub([{ key: "A", value: `x\n${taken}\ny%` }], (n) => `ghadelimiter_${n}`);
    expect(envFile).toBe(`A<<ghadelimiter_1\nx\n${taken}\ny%\nghadelimiter_1\n`);
    expect(masks.split("\n").filter(Boolean)).toEqual([`::add-mask::x%0A${taken}%0Ay%25`, "::add-mask::x", `::add-mask::${taken}`, "::add-mask::y%25"]);
  });
});
