// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about literal ${VAR} text in .env files
import dotenv from "dotenv";
import { expand } from "dotenv-expand";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatDotenv, parseDotenv } from "../../src/sources/dotenv.js";

const values = (text: string, options = {}) => Object.fromEntries(parseDotenv(text, ".env", options).entries.map((entry) => [entry.key, entry.value]));
/** The authority: what an application loading the same text with dotenv gets. */
const appSees = (text: string) => ({ ...dotenv.parse(text) });

// [name, input, what dotenv gives the app (checked against dotenv.parse too), warnings as [line, pattern]]
type Row = [string, string, Record<string, string>, Array<[number, RegExp]>];
const rows: Row[] = [
  ["dollars stay literal", "A=pa$$word", { A: "pa$$word" }, []],
  ["double quotes expand \\n and \\r", 'A="a\\nb\\rc"', { A: "a\nb\rc" }, []],
  ["other backslashes stay", 'A="C:\\temp\\x\\t"', { A: "C:\\temp\\x\\t" }, []],
  ["single quotes and backticks are literal", "A='a\\nb'\nB=`it's \"q\" ${X}`", { A: "a\\nb", B: `it's "q" \${X}` }, []],
  ["# glued to a value starts dotenv's comment", "A=b#c", { A: "b" }, [[1, /A: the value stops at '#'.*•••• \(1 char\); quote the value/]]],
  ["# right after = too", "A=#c", { A: "" }, [[1, /A: the value stops at '#'/]]],
  ["# after a blank is a comment, no warning", "A=b #c\nB='y'#c\nC=\"x\" # note", { A: "b", B: "y", C: "x" }, []],
  ["export, KEY: value, spaces and tabs", "export A=1\n  export   B = 2\nC: three\n\tD\t=\tfour", { A: "1", B: "2", C: "three", D: "four" }, []],
  ["keys starting with a digit", "1DIGIT=one\n2=two", { 2: "two", "1DIGIT": "one" }, []],
  ["CRLF, lone CR and a BOM", '\uFEFFA=1\r\nB="x\r\ny"\rC=3', { A: "1", B: "x\ny", C: "3" }, []],
  ["empty values", "A=\nB=   \nC=\"\"\nD=''", { A: "", B: "", C: "", D: "" }, []],
  ["multi-line quotes", "A='-----BEGIN-----\nabc\n-----END-----'\nB=2", { A: "-----BEGIN-----\nabc\n-----END-----", B: "2" }, []],
  ["a quote closed early", "PASSWORD='it's-a-secret'", { PASSWORD: "it's-a-secret" }, [[1, /PASSWORD: a ' inside the value closes the quote early/]]],
  ["a double quote closed early", 'GREETING="say "hi" now"', { GREETING: 'say "hi" now' }, [[1, /GREETING: a " inside the value closes the quote early/]]],
  [
    "a duplicate with text after its quote",
    "API_KEY=old-value\nAPI_KEY='new'value",
    { API_KEY: "'new'value" },
    [
      [2, /API_KEY: text follows the closing '/],
      [2, /API_KEY: set on line 1 and again on line 2; dotenv gives the app the last one, •••• \(10 chars\)/],
    ],
  ],
  [
    "HOST: alone takes the next line",
    "HOST:\nPORT=5432",
    { HOST: "PORT=5432" },
    [[1, /HOST: nothing follows the separator, so dotenv takes line 2 as the value/]],
  ],
  [
    "CERT= takes a quoted value on the next line",
    'CERT=\n"-----BEGIN-----"\nB=1',
    { CERT: "-----BEGIN-----", B: "1" },
    [[1, /CERT: nothing follows the separator, so dotenv takes line 2/]],
  ],
  ["an opening quote never closed", 'A=1\nB="abc\nC=3', { A: "1", B: '"abc', C: "3" }, [[2, /B: the opening " is never closed/]]],
  [
    "a quote that swallows assignments",
    'B="abc\nC=3\n"',
    { B: "abc\nC=3\n" },
    [[1, /B: the " quote opened on line 1 closes only on line 3, taking in lines that look like assignments/]],
  ],
  ["lines dotenv ignores", 'just some words\nA:value\nKEY:"json"\nA=1', { A: "1" }, [1, 2, 3].map((line) => [line, /dotenv ignores this line/])],
  ["__proto__ never reaches the app", "__proto__=x\nconstructor=c", { constructor: "c" }, [[1, /__proto__: dotenv never gives this name/]]],
  ["U+2028 ends a line for dotenv's comment", "A=x\u2028B=2\nC='q'#c\u2028D=4", { A: "x\u2028B=2", C: "q", D: "4" }, []],
];

describe("parseDotenv: dotenv decides, the scanner places and warns", () => {
  it.each(rows)("%s", (_name, input, expected, expectedWarnings) => {
    const { entries, warnings } = parseDotenv(input, ".env");
    expect(Object.fromEntries(entries.map((entry) => [entry.key, entry.value]))).toEqual(expected);
    expect(appSees(input)).toEqual(expected);
    expect(warnings.map((w) => w.line)).toEqual(expectedWarnings.map(([line]) => line));
    warnings.forEach((w, index) => {
      expect(w.source).toBe(".env");
      expect(w.message).toMatch(expectedWarnings[index]?.[1] ?? /never/);
    });
  });

  it("gives each key the line of the assignment dotenv keeps, in the order keys first appear", () => {
    const text = '# c\nA=1\n\nB="two\nlines"\nexport C=3\nA=4\n';
    expect(parseDotenv(text, "app/.env").entries.map((e) => [e.key, e.value, e.origin])).toEqual([
      ["A", "4", { source: "app/.env", line: 7 }],
      ["B", "two\nlines", { source: "app/.env", line: 4 }],
      ["C", "3", { source: "app/.env", line: 6 }],
    ]);
  });

  it("never puts a value in a warning, only its mask", () => {
    const text = "A=\"s3cr3t\nB=s3cr3t#s3cr3t\nC=1\nC=s3cr3t\nD=s3cr3t${NOPE}s3cr3t\nE='s3cr3t' s3cr3t\ns3cr3t\nF:\nG='s3cr3t's3cr3t'\n";
    const { warnings } = parseDotenv(text, ".env", { expand: true, env: {} });
    expect(warnings.length).toBeGreaterThan(5);
    for (const w of warnings) expect(w.message).not.toContain("s3cr3t");
  });
});

describe("parseDotenv with expand: dotenv-expand decides", () => {
  const expandRows: Array<[string, string, Record<string, string>, number]> = [
    ["earlier keys", "A=1\nB=${A}-$A", {}, 0],
    ["the environment", "B=${X}", { X: "e" }, 0],
    ["the environment wins over the file, with a warning", "X=f\nB=$X", { X: "e" }, 1],
    ["single quotes expand too (dotenv-expand sees values, not quotes)", "A=1\nB='${A} $A'", {}, 0],
    ["\\$ escapes", 'A=1\nB="\\$A \\${A}"', {}, 0],
    ["defaults", "E=\nB=${NOPE:-d1}/${E:-d2}/${NOPE-d3}/${A:+alt}", {}, 0],
    ["unset is empty, with a warning", "B=x${NOPE}y", {}, 1],
    ["later keys are not seen yet", "B=$A\nA=1", {}, 0],
    ["why expand is off by default", "A=pa$$word", {}, 1],
  ];
  it.each(expandRows)("%s", (_name, input, env, warningCount) => {
    const before = { ...process.env };
    const { entries, warnings } = parseDotenv(input, ".env", { expand: true, env });
    const authority = expand({ parsed: dotenv.parse(input), processEnv: { ...env } }).parsed;
    expect(Object.fromEntries(entries.map((e) => [e.key, e.value]))).toEqual({ ...authority });
    expect(warnings).toHaveLength(warningCount);
    expect(process.env).toEqual(before);
  });

  it("reads a built-in name that is set nowhere as unset, where dotenv-expand itself would never return", () => {
    const { entries, warnings } = parseDotenv("A=${constructor}x${toString}", ".env", { expand: true, env: {} });
    expect(entries.map((e) => [e.key, e.value])).toEqual([["A", "x"]]);
    expect(warnings).toHaveLength(2);
  });

  it("refuses a file that defines a built-in name and refers to it", () => {
    expect(() => parseDotenv("toString=1\nA=${toString}", ".env", { expand: true, env: {} })).toThrow(
      expect.objectContaining({ code: "EXPAND_BUILT_IN_NAME", exitCode: 2 }),
    );
    expect(values("toString=1\nA=plain", { expand: true, env: {} })).toEqual({ toString: "1", A: "plain" });
  });
});

// Characters that break naive writers and readers, mixed with any code point and lone surrogates.
const tricky = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("'", '"', "`", "\\", "#", "$", "{", "}", "\n", "\r", " ", "\t", "=", ":", "n", "r", "\uFEFF", "\u2028", "\0") },
  { weight: 2, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)) },
);
const anyValue = fc.string({ unit: tricky, maxLength: 30 });
const key = fc.stringMatching(/^[A-Za-z0-9_.-]{1,10}$/).filter((k) => k !== "__proto__");

describe("formatDotenv", () => {
  it("writes what dotenv reads back exactly, or refuses: never a different value", () => {
    const pairs = fc.uniqueArray(fc.record({ key, value: anyValue }), { selector: (pair) => pair.key, maxLength: 8 });
    let refused = 0;
    fc.assert(
      fc.property(pairs, (written) => {
        let text: string;
        try {
          text = formatDotenv(written);
        } catch (error) {
          expect(error).toMatchObject({ code: "UNSPELLABLE_VALUE", exitCode: 2 });
          if (!written.some((p) => /\p{Cs}/u.test(p.value))) refused++;
          return;
        }
        expect(appSees(text)).toEqual(Object.fromEntries(written.map((p) => [p.key, p.value])));
        expect(parseDotenv(text, ".env").entries.map(({ key: k, value }) => ({ key: k, value }))).toEqual(written);
      }),
      { numRuns: 2000 },
    );
    // Lone surrogates cannot be UTF-8 at all; anything else is refused only in rare corners (a value ending in \ that also holds a newline…).
    expect(refused).toBeLessThan(200);
  });

  it("uses the plainest spelling dotenv reads the same way", () => {
    const text = formatDotenv([
      { key: "PLAIN", value: "abc" },
      { key: "DOLLAR", value: "pa$$word" },
      { key: "SPACED", value: " x # y " },
      { key: "QUOTE", value: "it's" },
      { key: "NEWLINE", value: "a\nb" },
      { key: "CR", value: "a\r\nb" },
      { key: "EMPTY", value: "" },
      { key: "ALL_QUOTES", value: "'\"`\r" },
    ]);
    expect(text).toBe("PLAIN=abc\nDOLLAR='pa$$word'\nSPACED=' x # y '\nQUOTE=it's\nNEWLINE='a\nb'\nCR=\"a\\r\\nb\"\nEMPTY=\nALL_QUOTES=\"'\"`\\r\"\n");
  });

  it.each([
    ["a backslash-n next to a carriage return", "K", "\\n\r"],
    ["a lone surrogate", "K", "\ud800"],
    ["a name dotenv never gives", "__proto__", "x"],
  ])("refuses %s with UNSPELLABLE_VALUE", (_what, k, value) => {
    expect(() => formatDotenv([{ key: k, value }])).toThrow(expect.objectContaining({ code: "UNSPELLABLE_VALUE" }));
  });

  it("refuses a key a .env file cannot hold", () => {
    expect(() => formatDotenv([{ key: "1 bad", value: "x" }])).toThrow(expect.objectContaining({ code: "INVALID_KEY" }));
  });
});
