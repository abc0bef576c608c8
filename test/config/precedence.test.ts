import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildCli } from "../../src/cli.js";
import { envTwin } from "../../src/config/env-twins.js";
import { parseJson, runSecrets } from "../helpers/run-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

type Layer = "flag" | "env" | "file" | "default";
const LAYERS: Layer[] = ["flag", "env", "file", "default"];

/** Each setting is given a distinct value per layer so the winner is visible in `config show`. */
const SETTINGS = [
  { key: "prefix", flag: "--prefix", variable: "SECRETS_PREFIX", values: { flag: "f/", env: "e/", file: "y/" }, fallback: "" },
  {
    key: "onConflict",
    flag: "--on-conflict",
    variable: "SECRETS_ON_CONFLICT",
    values: { flag: "skip", env: "overwrite", file: "fail" },
    fallback: "fail",
    fileValue: "fail",
    command: "migrate",
  },
  { key: "concurrency", flag: "--concurrency", variable: "SECRETS_CONCURRENCY", values: { flag: "3", env: "5", file: "7" }, fallback: "" },
  { key: "stateDir", flag: "--state-dir", variable: "SECRETS_STATE_DIR", values: { flag: "s1", env: "s2", file: "s3" }, fallback: ".secrets" },
] as const;

async function show(cwd: string, layers: Layer[], setting: (typeof SETTINGS)[number]) {
  const env: Record<string, string> = {};
  const args = ["config", "show", "--json"];
  if (layers.includes("env")) env[setting.variable] = setting.values.env;
  if (layers.includes("file"))
    await writeFile(join(cwd, "secretshift.yaml"), `${setting.key}: ${setting.key === "concurrency" ? 7 : JSON.stringify(setting.values.file)}\n`);
  else await writeFile(join(cwd, "secretshift.yaml"), "{}\n");
  // config show has no --on-conflict/--concurrency flags of its own: the flag layer is tested through migrate below.
  const r = await runSecrets(args, { cwd, env });
  const doc = parseJson(r) as { settings: { setting: string; value: string; origin: string }[] };
  return doc.settings.find((s) => s.setting === setting.key);
}

describe("precedence: flags > environment > file > defaults", () => {
  for (const setting of SETTINGS) {
    for (let mask = 0; mask < 4; mask++) {
      const layers = (["env", "file"] as Layer[]).filter((_, i) => mask & (1 << i));
      it(`${setting.key} from ${layers.join(" + ") || "nothing"}`, async () => {
        const cwd = await tmpdir();
        const got = await show(cwd, layers, setting);
        const winner = LAYERS.find((l) => l === "default" || layers.includes(l)) as Layer;
        if (winner === "env") expect(got).toMatchObject({ value: setting.values.env, origin: `env ${setting.variable}` });
        else if (winner === "file") expect(got).toMatchObject({ value: setting.values.file, origin: "secretshift.yaml:1" });
        else expect(got).toMatchObject({ value: setting.fallback, origin: "default" });
      });
    }
  }

  it("a flag beats the environment and the file, observed through what migrate does", async () => {
    const cwd = await tmpdir();
    await writeFile(join(cwd, ".env"), "API=a-long-enough-value-0123456789\n");
    await writeFile(join(cwd, "secretshift.yaml"), "prefix: file/\n");
    const plan = async (args: string[], env: Record<string, string> = {}) =>
      (parseJson(await runSecrets(["migrate", "local", "--dry-run", "--json", ...args], { cwd, env })).items as { name: string }[])[0]?.name;
    expect(await plan([])).toBe("file/API");
    expect(await plan([], { SECRETS_PREFIX: "env/" })).toBe("env/API");
    expect(await plan(["--prefix", "flag/"], { SECRETS_PREFIX: "env/" })).toBe("flag/API");
  });

  it("a provider section beats the top level of the file", async () => {
    const cwd = await tmpdir();
    await writeFile(join(cwd, ".env"), "API=a-long-enough-value-0123456789\n");
    await writeFile(join(cwd, "secretshift.yaml"), "prefix: top/\nproviders:\n  local:\n    prefix: local/\n");
    const r = await runSecrets(["migrate", "local", "--dry-run", "--json"], { cwd });
    expect((parseJson(r).items as { name: string }[])[0]?.name).toBe("local/API");
  });

  it("the file's sources are the default sources, and a source on the command line replaces them", async () => {
    const cwd = await tmpdir();
    await writeFile(join(cwd, "a.env"), "FROM_A=a-long-enough-value-0123456789\n");
    await writeFile(join(cwd, "b.env"), "FROM_B=b-long-enough-value-0123456789\n");
    await writeFile(join(cwd, "secretshift.yaml"), "sources:\n  - a.env\n");
    const names = async (args: string[]) =>
      (parseJson(await runSecrets(["migrate", "local", "--dry-run", "--json", ...args], { cwd })).items as { name: string }[]).map((i) => i.name);
    expect(await names([])).toEqual(["FROM_A"]);
    expect(await names(["b.env"])).toEqual(["FROM_B"]);
  });
});

describe("schema errors name the file, line and key", () => {
  const cases: [string, string, RegExp][] = [
    ["unknown top-level key", "prefix: a/\nbogus: 1\n", /secretshift\.yaml:2: bogus/],
    ["unknown provider setting", "providers:\n  aws:\n    region: x\n    tokn: y\n", /secretshift\.yaml:4: providers\.aws\.tokn/],
    ["wrong type", "concurrency: lots\n", /secretshift\.yaml:1: concurrency/],
    ["bad choice", "onConflict: maybe\n", /secretshift\.yaml:1: onConflict/],
    ["unknown provider", "provider: dropbox\n", /secretshift\.yaml:1: provider/],
    ["broken YAML", "prefix: [unclosed\n", /secretshift\.yaml:\d+:/],
  ];
  for (const [label, text, pattern] of cases) {
    it(label, async () => {
      const cwd = await tmpdir();
      await writeFile(join(cwd, "secretshift.yaml"), text);
      const r = await runSecrets(["migrate", "local", "--dry-run"], { cwd });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr.trim().split("\n")).toHaveLength(2);
    });
  }

  it("a bad environment twin is exit 2 naming the variable", async () => {
    const r = await runSecrets(["migrate", "local", "--dry-run"], { cwd: await tmpdir(), env: { SECRETS_ON_CONFLICT: "sometimes" } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("SECRETS_ON_CONFLICT");
  });
});

describe("environment twins", () => {
  const program = buildCli({} as never, "0", async () => {});
  const options = program.commands.flatMap((c) => [...c.commands, c]).flatMap((c) => c.options.map((o) => ({ command: c.name(), option: o })));

  it("every option of every command has a SECRETS_ twin, derived by one rule", () => {
    expect(options.length).toBeGreaterThan(30);
    for (const { option } of options) {
      // Asking for a value to be printed, a rotation abandoned or every secret rotated is never a standing setting.
      if (["help", "reveal", "abort", "all"].includes(option.attributeName())) expect(envTwin(option.attributeName())).toBeUndefined();
      else expect(envTwin(option.attributeName())).toMatch(/^SECRETS_[A-Z0-9_]+$/);
    }
  });

  it("each twin really sets its option (checked on migrate's value-taking options)", async () => {
    const migrate = program.commands.find((c) => c.name() === "migrate");
    const cwd = await tmpdir();
    await writeFile(join(cwd, "secretshift.yaml"), "{}\n");
    for (const option of migrate?.options ?? []) {
      // SECRETS_CONFIG names the file itself; it is covered by the schema tests.
      if (!(option.required || option.optional) || option.long === "--config") continue;
      const variable = envTwin(option.attributeName()) as string;
      const value =
        option.argChoices?.[0] ?? (option.long === "--concurrency" || option.long === "--max-attempts" || option.long === "--recovery-window" ? "9" : "v");
      const r = await runSecrets(["config", "show", "--json"], { cwd, env: { [variable]: value } });
      expect(r.code, `${variable}: ${r.stderr}`).toBe(0);
      const row = (parseJson(r).settings as { setting: string; value: string; origin: string }[]).find((s) => s.setting === option.attributeName());
      expect(row, variable).toMatchObject({ origin: `env ${variable}` });
    }
  });
});
