import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { tmpdir } from "../helpers/tmpdir.js";

const sh = promisify(execFile);
const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const KEY = "CANARYactionkey9Qz7LmVt3Rk8WpN2-0123456789";
const VALUE = "CANARYactionvalue9Qz7LmVt3Rk8WpN2";

interface Step {
  readonly id?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly shell?: string;
  readonly env?: Record<string, string>;
}
interface Action {
  readonly inputs: Record<string, { default?: string; required?: boolean }>;
  readonly outputs: Record<string, { value: string }>;
  readonly runs: { using: string; steps: Step[] };
}

/**
 * The runner's part, done by hand: `${{ inputs.x }}`, `${{ github.action_path }}` and
 * `${{ steps.<id>.outputs.<name> }}` substituted, each `run:` executed by `bash -eo pipefail` as
 * GitHub runs `shell: bash`, GITHUB_OUTPUT / GITHUB_PATH / GITHUB_STEP_SUMMARY honoured.
 */
async function runAction(action: Action, cwd: string, inputs: Record<string, string>) {
  const temp = await tmpdir();
  const outputs: Record<string, Record<string, string>> = {};
  const paths: string[] = [];
  const logs: string[] = [];
  const summary = join(temp, "step-summary.md");
  const withDefaults = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, inputs[k] ?? v.default ?? ""]));
  const expand = (text: string) =>
    text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
      const input = /^inputs\.([\w-]+)$/.exec(expr);
      if (input) return withDefaults[input[1] ?? ""] ?? "";
      if (expr === "github.action_path") return ROOT;
      const out = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expr);
      if (out) return outputs[out[1] ?? ""]?.[out[2] ?? ""] ?? "";
      throw new Error(`no value for ${expr}`);
    });
  let code = 0;
  for (const [i, step] of action.runs.steps.entries()) {
    if (step.if) {
      const m = /^steps\.(\w+)\.outputs\.(\w+) == '(\w+)'$/.exec(step.if);
      if (!m) throw new Error(`unhandled if: ${step.if}`);
      if (outputs[m[1] ?? ""]?.[m[2] ?? ""] !== m[3]) continue;
    }
    if (step.uses) throw new Error(`this machine's Node should not need ${step.uses}`);
    expect(step.shell).toBe("bash");
    const file = join(temp, `output-${i}`);
    await writeFile(file, "");
    const env = {
      PATH: [...paths, process.env.PATH].join(":"),
      HOME: cwd,
      CI: "true",
      GITHUB_ACTIONS: "true",
      RUNNER_TEMP: temp,
      GITHUB_OUTPUT: file,
      GITHUB_PATH: join(temp, "path"),
      GITHUB_STEP_SUMMARY: summary,
      ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(v)])),
    };
    const r = await sh("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", expand(step.run ?? "")], { cwd, env }).catch((e) => e);
    logs.push(`${r.stdout}${r.stderr}`);
    const lines = (await readFile(file, "utf8")).split("\n").filter(Boolean);
    outputs[step.id ?? `${i}`] = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
    paths.unshift(...(await readFile(join(temp, "path"), "utf8").catch(() => "")).split("\n").filter(Boolean));
    code = r.code ?? 0;
    if (code !== 0) break;
  }
  const result = Object.fromEntries(Object.entries(action.outputs).map(([k, v]) => [k, expand(v.value)]));
  return { code, outputs: result, logs, summary: await readFile(summary, "utf8").catch(() => "") };
}

describe("action.yml, its steps run as a runner would", () => {
  let action: Action;
  beforeAll(async () => {
    action = parse(await readFile(join(ROOT, "action.yml"), "utf8")) as Action;
  });

  it("is a composite action with the documented inputs and outputs", () => {
    expect(action.runs.using).toBe("composite");
    expect(Object.keys(action.inputs).sort()).toEqual(["args", "command", "key", "provider", "version"]);
    expect(Object.keys(action.outputs).sort()).toEqual(["exit-code", "run-id", "summary"]);
    expect(action.runs.steps.find((s) => s.uses)?.uses).toMatch(/^actions\/setup-node@/);
  });

  it("migrate → drift check → rollback: outputs, step summary, and the key masked before anything prints", async () => {
    const cwd = await tmpdir();
    await writeFile(join(cwd, ".env"), `API_KEY=${VALUE}\nDB_PASSWORD=${VALUE}x\n`);
    const migrated = await runAction(action, cwd, { command: "migrate", provider: "local", args: "--from .env --yes", key: KEY });
    expect(migrated.code, migrated.logs.join("\n")).toBe(0);
    expect(migrated.outputs["exit-code"]).toBe("0");
    expect(migrated.outputs["run-id"]).toMatch(/^\d{8}T\d{6}-[0-9a-f]{6}$/);
    expect(JSON.parse(migrated.outputs.summary ?? "")).toMatchObject({ create: 2, failed: 0 });
    expect(migrated.summary).toContain("API_KEY");
    expect(migrated.logs[0]).toBe(`::add-mask::${KEY}\n`);
    for (const log of migrated.logs.slice(1)) expect(log).not.toContain(KEY);
    for (const log of migrated.logs) expect(log).not.toContain(VALUE);

    const inSync = await runAction(action, cwd, { command: "validate", provider: "local", args: "--from .env", key: KEY });
    expect(inSync.outputs["exit-code"]).toBe("0");
    expect(JSON.parse(inSync.outputs.summary ?? "")).toMatchObject({ "in-sync": 2 });

    await writeFile(join(cwd, ".env"), `API_KEY=${VALUE}changed\nDB_PASSWORD=${VALUE}x\n`);
    const drift = await runAction(action, cwd, { command: "validate", provider: "local", args: "--from .env", key: KEY });
    expect(drift.code).toBe(1);
    expect(drift.outputs["exit-code"]).toBe("1");
    expect(JSON.parse(drift.outputs.summary ?? "")).toMatchObject({ different: 1 });
    expect(drift.logs.join("")).toContain("::error");

    const back = await runAction(action, cwd, { command: "rollback", provider: "local", args: `--run '${migrated.outputs["run-id"]}' --yes`, key: KEY });
    expect(back.code, back.logs.join("\n")).toBe(0);
    const { stdout } = await sh(process.execPath, [join(ROOT, "bin/secrets.js"), "validate", "local", "--json"], {
      cwd,
      env: { PATH: process.env.PATH, HOME: cwd, SECRETS_ENCRYPTION_KEY: KEY },
    }).catch((e) => e);
    expect(JSON.parse(stdout).summary).toMatchObject({ missing: 2 });
  });

  it("rotate takes the provider as --provider; an unknown command is exit 2 with one error line", async () => {
    const cwd = await tmpdir();
    await writeFile(join(cwd, ".env"), `jwt-secret=${VALUE}\n`);
    expect((await runAction(action, cwd, { command: "migrate", provider: "local", args: "--yes", key: KEY })).code).toBe(0);
    const rotated = await runAction(action, cwd, { command: "rotate", provider: "local", args: "jwt-secret --grace-period 1h --yes", key: KEY });
    expect(rotated.code, rotated.logs.join("\n")).toBe(0);
    expect(rotated.outputs["run-id"]).not.toBe("");
    const unknown = await runAction(action, cwd, { command: "deploy", key: KEY });
    expect(unknown.code).toBe(2);
    expect(unknown.logs.at(-1)).toContain('::error::secretshift: unknown command "deploy"');
  });
});
