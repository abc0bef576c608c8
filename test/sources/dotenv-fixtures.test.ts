import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import dotenv from "dotenv";
import { describe, expect, it } from "vitest";
import { parseFileBytes } from "../../src/sources/file-source.js";

// Published fixture files (dotenv's own and a peer's, with their licences) read by the source must
// give exactly what dotenv.parse gives, and dotenv's files the values dotenv's own tests expect.
const root = join(import.meta.dirname, "../../fixtures/dotenv");
const NOT_FIXTURES = new Set(["LICENSE", "SOURCE.md", "expected.json"]);
const fixtures = readdirSync(root).flatMap((dir) =>
  readdirSync(join(root, dir))
    .filter((name) => !NOT_FIXTURES.has(name))
    .map((name) => `${dir}/${name}`),
);
const read = (path: string) => parseFileBytes(readFileSync(join(root, path)), path, {});
const values = (path: string) => Object.fromEntries(read(path).entries.map((e) => [e.key, e.value]));

interface Expected {
  files: Record<string, Record<string, string>>;
  absent: Record<string, string[]>;
  inline: [string, Record<string, string>][];
}
const expected = JSON.parse(readFileSync(join(root, "motdotla-dotenv/expected.json"), "utf8")) as Expected;

describe("published .env fixtures", () => {
  it("has the licence beside every set of fixtures", () => {
    for (const dir of readdirSync(root)) expect(readFileSync(join(root, dir, "LICENSE"), "utf8")).toMatch(/Copyright/);
    expect(fixtures.length).toBeGreaterThanOrEqual(8);
  });

  it.each(fixtures)("%s reads exactly as dotenv.parse reads it", (path) => {
    const bytes = readFileSync(join(root, path));
    expect(new Map(read(path).entries.map((e) => [e.key, e.value]))).toEqual(new Map(Object.entries(dotenv.parse(bytes))));
  });

  it.each(Object.entries(expected.files))("motdotla-dotenv/%s gives the values dotenv's tests expect", (name, want) => {
    const got = values(`motdotla-dotenv/${name}`);
    expect(got).toMatchObject(want);
    for (const key of expected.absent[name] ?? []) expect(got).not.toHaveProperty(key);
  });

  it.each(expected.inline)("dotenv's inline case %j", (input, want) => {
    const got = Object.fromEntries(parseFileBytes(Buffer.from(input, "utf8"), ".env", {}).entries.map((e) => [e.key, e.value]));
    expect(got).toEqual(want);
  });

  it("warns where dotenv 16 reads a published line unlike its author meant", () => {
    const lines = (path: string) => read(path).warnings.map((w) => `${w.line} ${w.message.split(":")[0]}`);
    // dotenv 14's fixture: a lone opening quote now runs on to a later quote, three lines down.
    expect(lines("motdotla-dotenv/.env")).toEqual(["19 INLINE_COMMENTS_SPACE", "22 RETAIN_LEADING_DQUOTE"]);
    expect(lines("motdotla-dotenv/.env.multiline")).toEqual(["18 INLINE_COMMENTS_SPACE"]);
    expect(lines("nodejs-node/valid.env")).toEqual(["31 INLINE_COMMENTS_SPACE", "58 MULTI_NOT_VALID_QUOTE", "60 dotenv ignores this line"]);
    expect(lines("nodejs-node/invalid-syntax.env")).toEqual([1, 3, 6, 7].map((n) => `${n} dotenv ignores this line`));
  });
});
