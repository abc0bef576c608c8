import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { twinMarkdown } from "../../src/config/env-twins.js";
import { COMMANDS } from "../../src/config/options.js";

it("the README's environment-twin table is the one the CLI's definitions generate (npm run docs)", async () => {
  const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
  const block = readme.split("<!-- env-twins:start -->")[1]?.split("<!-- env-twins:end -->")[0]?.trim();
  expect(block).toBe(twinMarkdown(COMMANDS));
});
