// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about literal ${VAR} text in .env files
import dotenv from "dotenv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatDotenv, parseDotenv } from "../../src/sources/dotenv.js";

const values = (text: string, options = {}) => Object.fromEntries(parseDotenv(text, ".env", options).entries.map((entry) => [entry.key, entry.value]));

// [name, input, expected values, expected warnings as [line, pattern]]
type Row = [string, string, Record<string, string>, Array<[number, RegExp]>];
const rows: Row[] = [
  ["dollars stay literal", "A=pa$$word", { A: "pa$$word" }, []],
  ["single quotes are literal", "A='${A}'", { A: "${A}" }, []],
  ["double quotes expand \\n", 'A="a\\nb"', { A: "a\nb" }, []],
  ["double quotes expand \\r", 'A="a\\rb"', { A: "a\rb" }, []],
  ["other backslashes stay", 'A="C:\\temp\\x\\t"', { A: "C:\\temp\\x\\t" }, []],
  ["\\n inside single quotes stays", "A='a\\nb'", { A: "a\\nb" }, []],
  ["backticks are literal", 'A=`it\'s "quoted" ${X}`', { A: `it's "quoted" \${X}` }, []],
  ["# right after a value is dotenv's comment", "A=b#c", { A: "b" }, [[1, /A: the unquoted value stops at '#'/]]],
  ["# after whitespace is a comment", "A=b #c", { A: "b" }, []],
  ["# right after = is a comment too", "A=#c", { A: "" }, [[1, /stops at '#'/]]],
  ["# inside double quotes", 'A="b#c"', { A: "b#c" }, []],
  ["# inside single quotes", "A='b #c'", { A: "b #c" }, []],
  ["inline comment after quotes", "A=\"x\" # comment\nB='y'#c", { A: "x", B: "y" }, []],
  ["export prefix", "export A=1\n  export   B = 2", { A: "1", B: "2" }, []],
  ["a key named export", "export=1", { export: "1" }, []],
  ["CRLF line endings", 'A=1\r\nB="x\r\ny"\r\nC=3\r\n', { A: "1", B: "x\ny", C: "3" }, []],
  ["lone CR is a line break", "A=1\rB=2", { A: "1", B: "2" }, []],
  ["leading BOM", "\uFEFFA=1", { A: "1" }, []],
  ["KEY: value", "A: value\nB:  two words ", { A: "value", B: "two words" }, []],
  ["KEY:value is not an assignment", "A:value", {}, [[1, /not a KEY=value line/]]],
  ["empty values", "A=\nB=   \nC=\"\"\nD=''", { A: "", B: "", C: "", D: "" }, []],
  ["unquoted values are trimmed", "A=   spaced  value \t", { A: "spaced  value" }, []],
  ["= inside a value", "A=b=c==", { A: "b=c==" }, []],
  ["multi-line double quotes", 'A="line1\nline2"\nB=2', { A: "line1\nline2", B: "2" }, []],
  ["multi-line single quotes", "A='-----BEGIN KEY-----\nabc\n-----END KEY-----'", { A: "-----BEGIN KEY-----\nabc\n-----END KEY-----" }, []],
  ["escaped quote keeps its backslash", "A='it\\'s'", { A: "it\\'s" }, []],
  ["trailing backslash closes like dotenv", 'A="C:\\dir\\"', { A: "C:\\dir\\" }, []],
  ["comments and blank lines", "# top\n\n   # indented\nA=1 # trailing", { A: "1" }, []],
  ["duplicate keys: last wins", "A=1\nB=2\nA=3", { A: "3", B: "2" }, [[3, /A is set on line 1 and again on line 3; line 3 wins/]]],
  ["unterminated quote", 'A=1\nB="abc\nC=3', { A: "1", C: "3" }, [[2, /B: the opening " is never closed/]]],
  ["text after the closing quote", "A='x' junk\nB=2", { B: "2" }, [[1, /A: unexpected text after the closing '/]]],
  ["not an assignment", "just some words\nA=1", { A: "1" }, [[1, /not a KEY=value line/]]],
  ["invalid key name", "1BAD=x\nGOOD.key-1=y", { "GOOD.key-1": "y" }, [[1, /not a valid key name/]]],
  ["our JSON form", 'A:"x\\r\\"y\\u0000"', { A: 'x\r"y\u0000' }, []],
  ["a broken JSON form", 'A:"\\q"', {}, [[1, /A: not a valid JSON string/]]],
];

describe("parseDotenv fixtures", () => {
  it.each(rows)("%s", (_name, input, expected, expectedWarnings) => {
    const { entries, warnings } = parseDotenv(input, ".env");
    expect(Object.fromEntries(entries.map((entry) => [entry.key, entry.value]))).toEqual(expected);
    expect(warnings.map((warning) => warning.line)).toEqual(expectedWarnings.map(([line]) => line));
    warnings.forEach((warning, index) => {
      expect(warning.source).toBe(".env");
      expect(warning.message).toMatch(expectedWarnings[index]?.[1] ?? /never/);
    });
    // Where we read a file without complaint, dotenv 16 reads the same values (our JSON form excepted).
    if (warnings.length === 0 && !input.includes(':"')) expect(dotenv.parse(input)).toEqual(expected);
  });

  it("records the line each entry starts on", () => {
    const text = '# c\nA=1\n\nB="two\nlines"\nexport C=3\n';
    const { entries } = parseDotenv(text, "app/.env");
    expect(entries.map((entry) => [entry.key, entry.origin])).toEqual([
      ["A", { source: "app/.env", line: 2 }],
      ["B", { source: "app/.env", line: 4 }],
      ["C", { source: "app/.env", line: 6 }],
    ]);
  });

  it("never puts a value in a warning", () => {
    const text = "A=\"s3cr3t\nB=s3cr3t#s3cr3t\nC=1\nC=s3cr3t\nD=s3cr3t${NOPE}s3cr3t\nE='s3cr3t' s3cr3t\ns3cr3t\n";
    const { warnings } = parseDotenv(text, ".env", { expand: true });
    expect(warnings.length).toBeGreaterThan(3);
    for (const warning of warnings) expect(warning.message).not.toContain("s3cr3t");
  });
});

describe("parseDotenv with expand", () => {
  const expandRows: Array<[string, string, Record<string, string | undefined>, Record<string, string>, number]> = [
    ["earlier keys", "A=1\nB=${A}-$A", {}, { A: "1", B: "1-1" }, 0],
    ["the env map", "B=${X}", { X: "e" }, { B: "e" }, 0],
    ["the file wins over the env", "X=f\nB=$X", { X: "e" }, { X: "f", B: "f" }, 0],
    ["single quotes never expand", "A=1\nB='${A} $A'", {}, { A: "1", B: "${A} $A" }, 0],
    ["\\$ escapes", 'A=1\nB="\\$A \\${A}"', {}, { A: "1", B: "$A ${A}" }, 0],
    [":- default when unset or empty", "E=\nB=${NOPE:-d1}/${E:-d2}", {}, { E: "", B: "d1/d2" }, 0],
    ["- default only when unset", "E=\nB=${NOPE-d1}/${E-d2}", {}, { E: "", B: "d1/" }, 0],
    ["nested default", "A=1\nB=${NOPE:-${A}x}", {}, { A: "1", B: "1x" }, 0],
    ["unset expands to empty with a warning", "B=x${NOPE}y", {}, { B: "xy" }, 1],
    ["only earlier keys", "B=$A\nA=1", {}, { B: "", A: "1" }, 1],
    ["not a reference", "B=$(cmd) $1 a$ ${ $", {}, { B: "$(cmd) $1 a$ ${ $" }, 0],
    ["unsupported operator is kept", "B=${A:?x}", {}, { B: "${A:?x}" }, 1],
    ["why expand is off by default", "A=pa$$word", {}, { A: "pa$" }, 1],
  ];
  it.each(expandRows)("%s", (_name, input, env, expected, warningCount) => {
    const { entries, warnings } = parseDotenv(input, ".env", { expand: true, env });
    expect(Object.fromEntries(entries.map((entry) => [entry.key, entry.value]))).toEqual(expected);
    expect(warnings).toHaveLength(warningCount);
  });

  it("does not read inherited properties of the env map", () => {
    expect(values("A=${constructor}x", { expand: true, env: {} })).toEqual({ A: "x" });
  });
});

// Characters that break naive writers and readers, mixed with any code point and lone surrogates.
const tricky = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("'", '"', "`", "\\", "#", "$", "{", "}", "\n", "\r", " ", "\t", "=", ":", "n", "r", "\uFEFF", "\u2028", "\0") },
  { weight: 2, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)) },
);
const anyValue = fc.string({ unit: tricky, maxLength: 30 });
const validKey = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,10}$/);

describe("parseDotenv properties", () => {
  it("reads back exactly what formatDotenv wrote, for any value", () => {
    const pairs = fc.uniqueArray(fc.record({ key: validKey, value: anyValue }), { selector: (pair) => pair.key, maxLength: 8 });
    fc.assert(
      fc.property(pairs, (written) => {
        const { entries, warnings } = parseDotenv(formatDotenv(written), ".env");
        expect(warnings).toEqual([]);
        expect(entries.map(({ key, value }) => ({ key, value }))).toEqual(written);
      }),
      { numRuns: 2000 },
    );
  });

  it("never throws, whatever the input", () => {
    const inputs = fc.oneof(
      fc.string({ unit: tricky, maxLength: 200 }),
      fc.string({ unit: "binary", maxLength: 200 }),
      fc.array(fc.oneof(fc.constantFrom("A=", "export B", "C: ", 'D:"', "#", "\r\n", "\n", "${", "$A", "\\"), tricky)).map((parts) => parts.join("")),
    );
    fc.assert(
      fc.property(inputs, fc.boolean(), (text, expand) => {
        const { warnings } = parseDotenv(text, ".env", { expand, env: { A: "1" } });
        const lines = text.replace(/\r\n?/g, "\n").split("\n").length;
        for (const { line } of warnings) {
          expect(line).toBeGreaterThanOrEqual(1);
          expect(line).toBeLessThanOrEqual(lines);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it("never changes a value containing $ without expand", () => {
    const dollarValue = fc
      .string({ unit: fc.constantFrom("$", "{", "}", "\\", ":", "-", "(", ")", "A", "B", "_", "x", "1", "."), maxLength: 20 })
      .map((value) => `$${value}`)
      .filter((value) => !value.endsWith("\\"));
    fc.assert(
      fc.property(dollarValue, (value) => {
        for (const spelled of [value, `'${value}'`, `"${value}"`, `\`${value}\``]) {
          const text = `A=1\nB=${spelled}\n`;
          expect(values(text)).toEqual({ A: "1", B: value });
          expect(dotenv.parse(text)).toEqual({ A: "1", B: value });
        }
      }),
      { numRuns: 500 },
    );
  });

  it("agrees with dotenv 16 on every file it reads without a warning", () => {
    const content = fc.string({ unit: tricky, maxLength: 12 });
    const value = fc.oneof(
      content.map((text) => text.replace(/[\n\r#'"`]/g, "")),
      content.map((text) => `'${text}'`),
      content.map((text) => `"${text}"`),
      content.map((text) => `\`${text}\``),
    );
    const assignment = fc
      .tuple(
        fc.constantFrom("", "export ", "  "),
        fc.constantFrom("A", "B", "c.d-e"),
        fc.constantFrom("=", " = ", ": "),
        value,
        fc.constantFrom("", " # note", "#x"),
      )
      .map((parts) => parts.join(""));
    const file = fc
      .tuple(fc.array(fc.oneof(assignment, fc.constantFrom("", "# comment", "  ")), { maxLength: 6 }), fc.constantFrom("\n", "\r\n"))
      .map(([lines, eol]) => lines.join(eol));
    let compared = 0;
    fc.assert(
      fc.property(file, (text) => {
        const { entries, warnings } = parseDotenv(text, ".env");
        if (warnings.length > 0) return;
        compared++;
        expect(Object.fromEntries(entries.map((entry) => [entry.key, entry.value]))).toEqual(dotenv.parse(text));
      }),
      { numRuns: 2000 },
    );
    expect(compared).toBeGreaterThan(500);
  });
});

describe("formatDotenv", () => {
  it("uses the plainest spelling dotenv reads the same way", () => {
    const text = formatDotenv([
      { key: "PLAIN", value: "abc" },
      { key: "DOLLAR", value: "pa$$word" },
      { key: "SPACED", value: " x # y " },
      { key: "QUOTE", value: "it's" },
      { key: "NEWLINE", value: "a\nb" },
      { key: "CR", value: "a\r\nb" },
      { key: "EMPTY", value: "" },
      { key: "HARD", value: "'\"`\r\\n" },
    ]);
    expect(text).toBe("PLAIN=abc\nDOLLAR='pa$$word'\nSPACED=' x # y '\nQUOTE=it's\nNEWLINE='a\nb'\nCR=\"a\\r\\nb\"\nEMPTY=\nHARD:\"'\\\"`\\r\\\\n\"\n");
    const readable = dotenv.parse(text);
    expect(readable).toMatchObject({ PLAIN: "abc", DOLLAR: "pa$$word", SPACED: " x # y ", QUOTE: "it's", NEWLINE: "a\nb", CR: "a\r\nb", EMPTY: "" });
    expect(readable).not.toHaveProperty("HARD");
  });

  it("refuses a key a .env file cannot hold", () => {
    expect(() => formatDotenv([{ key: "1 bad", value: "x" }])).toThrow(expect.objectContaining({ code: "INVALID_KEY" }));
  });
});
