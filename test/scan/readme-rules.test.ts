import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { RULES } from "../../src/scan/rules.js";

it("the README's table of scan rules lists every rule the scanner has, as its code describes it", async () => {
  const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
  const block = readme.split("<!-- scan-rules:start -->")[1]?.split("<!-- scan-rules:end -->")[0]?.trim();
  const expected = [
    "| rule | confidence | what it recognises |",
    "|---|---|---|",
    ...RULES.map((r) => `| \`${r.id}\` | ${r.confidence} | ${r.title}: ${r.description.replace(/\|/g, "\\|")} |`),
  ].join("\n");
  expect(block).toBe(expected);
});
