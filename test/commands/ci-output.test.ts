import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { canary } from "../helpers/command-suite.js";
import { runSecrets } from "../helpers/run-cli.js";
import { spawnSecrets } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

const ANSI = /\u001b\[/;
const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;

/** A project whose vault drifted: one value differs, one is missing, one is fine. */
async function drifted() {
  const cwd = await tmpdir();
  const values = { SAME: canary("same"), CHANGED: canary("old"), LATER: canary("later") };
  await writeFile(join(cwd, ".env"), `SAME=${values.SAME}\nCHANGED=${values.CHANGED}\n`);
  expect((await runSecrets(["init"], { cwd })).code).toBe(0);
  expect((await runSecrets(["migrate", "local", "--yes"], { cwd })).code).toBe(0);
  const changed = canary("new");
  await writeFile(join(cwd, ".env"), `SAME=${values.SAME}\n# comment\nCHANGED=${changed}\nLATER=${values.LATER}\n`);
  return { cwd, canaries: [...Object.values(values), changed] };
}

describe("CI behaviour", () => {
  it("with CI=true there are no colours, no spinner frames and no prompts", async () => {
    const { cwd } = await drifted();
    const runs = [
      await spawnSecrets(["validate", "local"], cwd),
      await spawnSecrets(["migrate", "local", "--dry-run"], cwd),
      await spawnSecrets(["migrate", "local"], cwd),
    ];
    for (const r of runs) {
      expect(r.stdout + r.stderr).not.toMatch(ANSI);
      expect(r.stdout + r.stderr).not.toMatch(SPINNER);
    }
    expect(runs[2]?.code).toBe(2);
  });

  it("even when stderr is a terminal, CI=true means plain output", async () => {
    const { cwd } = await drifted();
    const atTerminal = await runSecrets(["validate", "local"], { cwd, tty: true });
    expect(atTerminal.stdout + atTerminal.stderr).toMatch(ANSI);
    const inCi = await runSecrets(["validate", "local"], { cwd, tty: true, env: { CI: "true" } });
    expect(inCi.stdout + inCi.stderr).not.toMatch(ANSI);
    const noColor = await runSecrets(["validate", "local", "--no-color"], { cwd, tty: true });
    expect(noColor.stdout + noColor.stderr).not.toMatch(ANSI);
  });

  it("stdout redirected to a file gets no colour even when stderr is a terminal", async () => {
    const { cwd } = await drifted();
    const redirected = await runSecrets(["migrate", "local", "--dry-run"], { cwd, tty: "stderr" });
    expect(redirected.stdout).toContain("NAME");
    expect(redirected.stdout).not.toMatch(ANSI);
  });

  it("--format github annotates drift with file and line, and appends a step summary without values", async () => {
    const { cwd, canaries } = await drifted();
    const summaryFile = join(cwd, "summary.md");
    await writeFile(summaryFile, "");
    const r = await runSecrets(["validate", "local", "--json"], { cwd, env: { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summaryFile } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("::error file=.env,line=3::CHANGED differs from the vault");
    expect(r.stderr).toContain("::error file=.env,line=4::LATER is missing from the vault");
    expect(JSON.parse(r.stdout).inSync).toBe(false);
    const summary = await readFile(summaryFile, "utf8");
    expect(summary).toContain("### secrets validate local");
    expect(summary).toContain("| CHANGED | different | .env:3 |");
    for (const c of canaries) expect(summary + r.stderr + r.stdout).not.toContain(c);
    const plain = await runSecrets(["validate", "local", "--format", "human"], { cwd, env: { GITHUB_ACTIONS: "true" } });
    expect(plain.stderr).not.toContain("::error");
  });

  it("validate --junit writes one test case per secret, drift as failures", async () => {
    const { cwd, canaries } = await drifted();
    const r = await runSecrets(["validate", "local", "--junit", "report.xml"], { cwd });
    expect(r.code).toBe(1);
    const xml = await readFile(join(cwd, "report.xml"), "utf8");
    for (const c of canaries) expect(xml).not.toContain(c);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml);
    const suite = doc.testsuites.testsuite;
    expect(suite.tests).toBe("3");
    expect(suite.failures).toBe("2");
    const cases = [suite.testcase].flat() as { name: string; failure?: { type: string } }[];
    expect(Object.fromEntries(cases.map((c) => [c.name, c.failure?.type ?? "pass"]))).toEqual({ SAME: "pass", CHANGED: "different", LATER: "missing" });
  });

  it("rollback annotates a secret changed after the run (left alone) under --format github", async () => {
    const cwd = await tmpdir();
    await writeFile(join(cwd, ".env"), `A=${canary("a1")}\n`);
    await runSecrets(["init"], { cwd });
    const first = JSON.parse((await runSecrets(["migrate", "local", "--yes", "--json"], { cwd })).stdout).runId as string;
    await writeFile(join(cwd, ".env"), `A=${canary("a2")}\n`);
    expect((await runSecrets(["migrate", "local", "--yes", "--on-conflict", "overwrite"], { cwd })).code).toBe(0);
    const r = await runSecrets(["rollback", "local", "--run", first, "--yes", "--format", "github"], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("::error::A changed after the run and was left alone");
  });
});
