import { describe, expect, it } from "vitest";
import { makeNameFilter } from "../../src/core/glob.js";
import { checkTemplate, secretName } from "../../src/core/naming.js";
import { mask } from "../../src/ui/mask.js";

describe("naming", () => {
  const fileEntry = { key: "DB_PASSWORD", value: "x", origin: { source: ".env", line: 3 } };
  const cell = { key: "stripe_key", value: "x", origin: { source: "businesses.stripe_key[key=42]", table: "businesses", row: "42", column: "stripe_key" } };

  it("defaults to {key} for files and {table}/{row}/{column} for cells, after the prefix", () => {
    expect(secretName(fileEntry, { prefix: "app/" })).toBe("app/DB_PASSWORD");
    expect(secretName(cell, {})).toBe("businesses/42/stripe_key");
    expect(secretName(cell, { template: "{env}/{column}/{row}", env: "prod" })).toBe("prod/stripe_key/42");
  });

  it("refuses unknown placeholders and ones the source cannot fill", () => {
    expect(() => checkTemplate("{nope}")).toThrow(/unknown placeholder/);
    expect(() => secretName(fileEntry, { template: "{table}/{key}" })).toThrow(/does not provide/);
  });
});

describe("--only / --exclude globs", () => {
  it("* stays within a segment, ** crosses them", () => {
    const only = makeNameFilter({ only: ["db/*"] });
    expect(only("db/password")).toBe(true);
    expect(only("db/replica/password")).toBe(false);
    expect(makeNameFilter({ only: ["db/**"] })("db/replica/password")).toBe(true);
    expect(makeNameFilter({ exclude: ["*_TEST"] })("KEY_TEST")).toBe(false);
    expect(makeNameFilter({})("anything.at+all")).toBe(true);
  });
});

describe("secretName with built-in object names", () => {
  it("finds no placeholder named like an Object property, and keeps keys such as constructor as they are", () => {
    const entry = { key: "constructor", value: "v", origin: { source: ".env" } };
    expect(secretName(entry, {})).toBe("constructor");
    expect(() => secretName(entry, { template: "{constructor}" })).toThrow(expect.objectContaining({ code: "BAD_TEMPLATE" }));
  });
});

describe("mask", () => {
  it("shows head and tail of long values and nothing of short ones", () => {
    expect(mask("sk-0123456789abcdef0123456789abcdef0123f3a9")).toBe("sk-…f3a9 (43 chars)");
    expect(mask("hunter2")).toBe("•••• (7 chars)");
    expect(mask("line1\nline2-more-text\n")).not.toContain("\n");
  });
});
