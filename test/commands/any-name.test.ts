import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import dotenv from "dotenv";
import { afterEach, describe, expect, it } from "vitest";
import { type AwsHarness, startAwsHarness } from "../helpers/aws-harness.js";
import { parseJson, runSecrets } from "../helpers/run-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

// Names every JavaScript object answers for without holding them. Each must migrate, validate,
// rotate and roll back like any other name, from every file format, on the local store and on AWS.
const ENV_FILE = "constructor=env-constructor-1\ntoString=env-to-string-2\nvalueOf=env-value-of-3\nhasOwnProperty=env-has-own-4\n";
const YAML_FILE = "__proto__: yaml-proto-1\nconstructor: yaml-constructor-2\ntoString:\n  valueOf: yaml-nested-3\n";
const JSON_FILE = '{"__proto__": "json-proto-1", "hasOwnProperty": {"constructor": "json-nested-2"}, "valueOf": "json-value-of-3"}';

// `["__proto__"]:` makes an own key; a plain `__proto__:` in a literal would set the prototype instead.
const sources: [string, string, string, Record<string, string>][] = [
  [".env", ".env", ENV_FILE, { ...dotenv.parse(ENV_FILE) }],
  ["YAML", "secrets.yaml", YAML_FILE, { ["__proto__"]: "yaml-proto-1", constructor: "yaml-constructor-2", "toString/valueOf": "yaml-nested-3" }],
  ["JSON", "secrets.json", JSON_FILE, { ["__proto__"]: "json-proto-1", "hasOwnProperty/constructor": "json-nested-2", valueOf: "json-value-of-3" }],
];

interface Target {
  readonly name: "local" | "aws";
  readonly env: Record<string, string>;
  /** The provider's current values for these names, read from outside the code under test where possible. */
  current(names: readonly string[], cwd: string): Promise<Map<string, string>>;
}

let aws: AwsHarness | undefined;
afterEach(async () => {
  await aws?.stop();
  aws = undefined;
});

const targets: [string, () => Promise<Target>][] = [
  [
    "local",
    async () => ({
      name: "local",
      env: {},
      async current(names, cwd) {
        const out = new Map<string, string>();
        for (const name of names) {
          const r = await runSecrets(["get", name, "--provider", "local", "--reveal", "--json"], { cwd });
          if (r.code === 0) out.set(name, (parseJson(r) as { current: string }).current);
          else expect(r.stderr).toContain("SECRET_NOT_FOUND");
        }
        return out;
      },
    }),
  ],
  [
    "aws (wire-level test server)",
    async () => {
      aws = await startAwsHarness();
      const server = aws.server;
      return {
        name: "aws",
        env: aws.env,
        async current(names) {
          const out = new Map<string, string>();
          for (const name of names) {
            const value = server.versions(name).find((v) => v.stages.includes("AWSCURRENT"))?.value;
            if (value !== undefined) out.set(name, value);
          }
          return out;
        },
      };
    },
  ],
];

describe.each(targets)("built-in object names on %s", (_label, start) => {
  it.each(sources)(
    "from %s: migrate, validate, rotate, roll back",
    async (_format, file, content, expected) => {
      const target = await start();
      const cwd = await tmpdir();
      await writeFile(join(cwd, file), content);
      const run = (...args: string[]) => runSecrets(args, { cwd, env: target.env });
      const names = Object.keys(expected);
      expect((await run("init")).code).toBe(0);

      const migrated = await run("migrate", target.name, "--from", file, "--yes", "--json");
      expect(migrated.code, migrated.stderr).toBe(0);
      expect(parseJson(migrated)).toMatchObject({ summary: { create: names.length, failed: 0 } });
      expect(await target.current(names, cwd)).toEqual(new Map(Object.entries(expected)));
      const validated = await run("validate", target.name, "--from", file, "--json");
      expect(validated.code, validated.stdout).toBe(0);
      expect(parseJson(validated)).toMatchObject({ inSync: true, summary: { "in-sync": names.length } });

      const rotated = names[0] as string;
      expect((await run("rotate", rotated, "--provider", target.name, "--grace-period", "1h", "--yes")).code).toBe(0);
      const afterRotate = await target.current(names, cwd);
      expect(afterRotate.get(rotated)).not.toBe(expected[rotated]);
      expect((await run("validate", target.name, "--from", file)).code).toBe(1);

      const undoRotate = await run("rollback", target.name, "--last", "--yes");
      expect(undoRotate.code, undoRotate.stderr).toBe(0);
      expect(await target.current(names, cwd)).toEqual(new Map(Object.entries(expected)));
      const undoMigrate = await run("rollback", target.name, "--run", String(parseJson(migrated).runId), "--yes");
      expect(undoMigrate.code, undoMigrate.stderr).toBe(0);
      expect(await target.current(names, cwd)).toEqual(new Map());
    },
    30_000,
  );
});

it("a .env line named __proto__ is warned about and not migrated: dotenv never gives it to the app", async () => {
  const cwd = await tmpdir();
  await writeFile(join(cwd, ".env"), "__proto__=x\nA=1\n");
  const run = (...args: string[]) => runSecrets(args, { cwd });
  expect((await run("init")).code).toBe(0);
  const r = await run("migrate", "local", "--yes", "--json");
  expect(r.code).toBe(0);
  expect((parseJson(r) as { items: { name: string }[] }).items.map((i) => i.name)).toEqual(["A"]);
  expect(r.stderr).toContain(".env:1: __proto__: dotenv never gives this name to the application");
});
