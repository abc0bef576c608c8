import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type GeneratorEffects, PASSWORD_CLASSES, parseGenerator, pickChars } from "../../src/rotation/generators.js";
import type { Shell } from "../../src/rotation/shell.js";
import { runShell } from "../../src/rotation/shell.js";

const noShell: Shell = async () => {
  throw new Error("no shell in this test");
};
/** Random bytes from fast-check's seed, so failures replay. */
const seeded = (bytes: number[]) => {
  let i = 0;
  return (size: number) => Buffer.from(Array.from({ length: size }, () => bytes[i++ % bytes.length] ?? 0));
};
const effects = (random: (n: number) => Buffer = randomBytes, shell: Shell = noShell): GeneratorEffects => ({
  randomBytes: random,
  shell,
  env: { PATH: process.env.PATH },
  cwd: process.cwd(),
});
const gen = (spec: string, e = effects()) => parseGenerator(spec).generate(e);
const seedBytes = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 64, maxLength: 256 }).filter((b) => b.some((x) => x < 248));

describe("generators", () => {
  it("hex:N gives 2N hex characters, base64:N encodes N bytes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 300 }), async (n) => {
        expect(await gen(`hex:${n}`)).toMatch(new RegExp(`^[0-9a-f]{${2 * n}}$`));
        const b64 = await gen(`base64:${n}`);
        expect(Buffer.from(b64, "base64")).toHaveLength(n);
        expect(b64).toMatch(/^[A-Za-z0-9+/]+=*$/);
      }),
      { numRuns: 50 },
    );
  });

  it("alnum:N is N characters of [A-Za-z0-9] whatever the random bytes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 200 }), seedBytes, async (n, bytes) => {
        expect(await gen(`alnum:${n}`, effects(seeded(bytes)))).toMatch(new RegExp(`^[A-Za-z0-9]{${n}}$`));
      }),
    );
  });

  it("password:N has N characters with at least one lower, upper, digit and symbol, from the alphabet only", async () => {
    const alphabet = new Set(PASSWORD_CLASSES.join(""));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 4, max: 120 }), async (n) => {
        const value = await gen(`password:${n}`);
        expect([...value]).toHaveLength(n);
        expect([...value].every((c) => alphabet.has(c))).toBe(true);
        for (const cls of PASSWORD_CLASSES) expect([...value].some((c) => cls.includes(c))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("rejection sampling never maps a byte past the last full multiple of the alphabet (no modulo bias)", () => {
    // 62 symbols: bytes 248..255 must be thrown away, so an all-255 stream followed by 0 yields "a".
    const stream = seeded([255, 254, 250, 248, 0]);
    expect(pickChars("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 1, stream)).toBe("a");
    // Every accepted byte value hits each symbol exactly 4 times (248 / 62).
    const counts = new Map<string, number>();
    for (let b = 0; b < 256; b++) {
      const c = pickChars("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 1, seeded([b, 0]));
      if (b < 248) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    expect(new Set(counts.values())).toEqual(new Set([4]));
  });

  it("uuid is a v4 UUID", async () => {
    await fc.assert(
      fc.asyncProperty(seedBytes, async (bytes) => {
        expect(await gen("uuid", effects(seeded(bytes)))).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      }),
    );
  });

  it("command:<cmd> reads stdout and trims one trailing newline", async () => {
    const e = effects(randomBytes, runShell);
    expect(await gen("command:printf 'abc\\n\\n'", e)).toBe("abc\n");
    expect(await gen("command:printf 'x y'", e)).toBe("x y");
  });

  it("command:<cmd> that fails or prints nothing is an error that does not echo the command", async () => {
    const e = effects(randomBytes, runShell);
    await expect(gen("command:echo SECRETISH; exit 4", e)).rejects.toMatchObject({
      code: "GENERATOR_FAILED",
      message: expect.not.stringContaining("SECRETISH"),
    });
    await expect(gen("command:true", e)).rejects.toMatchObject({ code: "GENERATOR_FAILED", message: expect.stringContaining("printed nothing") });
  });

  it.each([
    "",
    "hex",
    "hex:",
    "hex:0",
    "hex:-1",
    "hex:1.5",
    "hex:99999",
    "alnum:x",
    "password:3",
    "nope:4",
    "command:",
    "command:   ",
    "uuid:4",
    "hex:4:4",
  ])("rejects %j as a usage error", (spec) => {
    expect(() => parseGenerator(spec)).toThrow(expect.objectContaining({ code: "BAD_GENERATOR", exitCode: 2 }));
  });

  it("labels hide a command's text", () => {
    expect(parseGenerator("command:vault-cli print --token abc").label).toBe("command");
    expect(parseGenerator("hex:32").entropyBits).toBe(256);
  });
});
