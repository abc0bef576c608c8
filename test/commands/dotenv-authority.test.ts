import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import dotenv from "dotenv";
import { describe, expect, it } from "vitest";
import { parseJson, runSecrets } from "../helpers/run-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

// The lines of issue #12, each of which used to lose or change a value. Whatever dotenv gives the
// application is what must land in the vault; suspicious lines warn, masked; empties are skipped.
const ISSUE_FILE = [
  "PASSWORD='it's-a-secret'",
  'GREETING="say "hi" now"',
  "API_KEY=old-value",
  "API_KEY='new'value",
  "HOST:",
  "PORT=5432",
  "CERT=",
  '"-----BEGIN CERTIFICATE-----',
  "MIIBszCCAVmgAwIBAgIUQ3ZpbGx5",
  '-----END CERTIFICATE-----"',
  "1ST_TOKEN=digit-leading-key",
  "EMPTY=",
  "",
].join("\n");

async function project(content: string) {
  const cwd = await tmpdir();
  await writeFile(join(cwd, ".env"), content);
  const run = (...args: string[]) => runSecrets(args, { cwd });
  expect((await run("init")).code).toBe(0);
  /** The vault as an application would read it: one `secrets get --reveal` per name. */
  const revealed = async (names: readonly string[]) => {
    const out: Record<string, string> = {};
    for (const name of names) {
      const r = await run("get", name, "--provider", "local", "--reveal", "--json");
      expect(r.code, r.stderr).toBe(0);
      out[name] = (parseJson(r) as { current: string }).current;
    }
    return out;
  };
  return { cwd, run, revealed };
}

describe("the issue's .env lines migrate exactly what dotenv gives the app", () => {
  it("migrates and validates dotenv's values, warns on every suspicious line, skips the empty one", async () => {
    const p = await project(ISSUE_FILE);
    const app = dotenv.parse(Buffer.from(ISSUE_FILE));
    const nonEmpty = Object.keys(app).filter((k) => app[k] !== "");
    expect(app).toMatchObject({ PASSWORD: "it's-a-secret", GREETING: 'say "hi" now', API_KEY: "'new'value", HOST: "PORT=5432", EMPTY: "" });

    const migrated = await p.run("migrate", "local", "--yes", "--json");
    expect(migrated.code, migrated.stderr).toBe(0);
    const doc = parseJson(migrated) as { summary: Record<string, number>; items: { name: string; action: string; source: string; reason?: string }[] };
    expect(doc.summary).toMatchObject({ create: nonEmpty.length, skip: 1, invalid: 0, failed: 0 });
    expect(doc.items.find((i) => i.name === "EMPTY")).toEqual({ name: "EMPTY", action: "skip", source: ".env:12", reason: "empty value: not migrated" });
    expect(doc.items.find((i) => i.name === "API_KEY")?.source).toBe(".env:4");
    expect(await p.revealed(nonEmpty)).toEqual(Object.fromEntries(nonEmpty.map((k) => [k, app[k]])));

    for (const line of [1, 2, 4, 5, 7]) expect(migrated.stderr).toContain(`.env:${line}: `);
    expect(migrated.stderr).toMatch(/\.env:4: API_KEY: set on line 3 and again on line 4; dotenv gives the app the last one, •••• \(10 chars\)/);
    for (const value of ["it's-a-secret", 'say "hi" now', "'new'value", "old-value"]) expect(migrated.stderr).not.toContain(value);

    const validated = await p.run("validate", "local", "--json");
    expect(validated.code, validated.stdout).toBe(0);
    expect(parseJson(validated)).toMatchObject({ inSync: true, summary: { "in-sync": nonEmpty.length, missing: 0, skip: 1 } });
  });

  it("--strict makes the warnings fatal before anything is written", async () => {
    const p = await project(ISSUE_FILE);
    const r = await p.run("migrate", "local", "--yes", "--strict");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error \[SOURCE_INVALID\]: \.env:1: PASSWORD: a ' inside the value closes the quote early.*\(and \d+ more\)/);
    expect((await p.run("validate", "local", "--json")).code).toBe(1);
  });

  it("a file of nothing but empty values is a successful no-op, and validate counts them as skipped", async () => {
    const p = await project("EMPTY=\nEMPTY_SINGLE_QUOTES=''\nEMPTY_DOUBLE_QUOTES=\"\"\nEMPTY_BACKTICKS=``\n");
    const r = await p.run("migrate", "local", "--yes", "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(parseJson(r)).toMatchObject({ summary: { skip: 4, create: 0, invalid: 0 } });
    const v = await p.run("validate", "local", "--json");
    expect(v.code).toBe(0);
    expect(parseJson(v)).toMatchObject({ inSync: true, summary: { skip: 4, missing: 0 } });
  });
});
