// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the ${env:…} syntax is what these files hold
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runSecrets } from "../helpers/run-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

// `secrets export` through the CLI: never to a terminal without --reveal, and `--format github`
// appends to $GITHUB_ENV with a mask on stdout for every value. Values are canaries.
const canary = () => `canary-${randomBytes(9).toString("hex")}`;

async function project() {
  const cwd = await tmpdir();
  const values = { PLAIN: canary(), FROM_ENV: canary(), MULTI: `${canary()}\n${canary()}` };
  await writeFile(join(cwd, ".env"), `PLAIN=${values.PLAIN}\nFROM_ENV=\${env:SOURCE}\nMULTI="${values.MULTI.replace("\n", "\\n")}"\n`);
  const pieces = Object.values(values).flatMap((v) => v.split("\n"));
  return { cwd, values, pieces, env: { SOURCE: values.FROM_ENV } };
}

describe("secrets export at the command line", () => {
  it("refuses a terminal without --reveal: one line, exit 2, no value anywhere", async () => {
    const p = await project();
    const r = await runSecrets(["export", "--format", "dotenv"], { cwd: p.cwd, env: p.env, tty: true });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/EXPORT_TO_TERMINAL/);
    for (const piece of p.pieces) expect(r.stderr).not.toContain(piece);
  });

  it("prints to a terminal with --reveal, and to a redirected stdout without it", async () => {
    const p = await project();
    for (const [args, tty] of [
      [["--reveal"], true],
      [[], "stderr"],
    ] as const) {
      const r = await runSecrets(["export", "--format", "json", ...args], { cwd: p.cwd, env: p.env, tty });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(p.values);
      for (const piece of p.pieces) expect(r.stderr).not.toContain(piece);
    }
  });

  it("--format github appends to $GITHUB_ENV and puts only masks on stdout", async () => {
    const p = await project();
    const githubEnv = join(p.cwd, "github-env");
    await writeFile(githubEnv, "EARLIER=step\n");
    const r = await runSecrets(["export", "--format", "github"], { cwd: p.cwd, env: { ...p.env, GITHUB_ENV: githubEnv } });
    expect(r.code, r.stderr).toBe(0);
    // Each value once (a newline escaped as the runner reads it, %0A), and each of its lines.
    const masks = new Set([...Object.values(p.values).map((v) => v.replace("\n", "%0A")), ...p.pieces]);
    expect(r.stdout.split("\n").filter(Boolean).sort()).toEqual([...masks].map((v) => `::add-mask::${v}`).sort());
    for (const piece of p.pieces) expect(r.stderr).not.toContain(piece);
    const file = await readFile(githubEnv, "utf8");
    expect(file.startsWith("EARLIER=step\n")).toBe(true);
    // The runner's multiline syntax: NAME<<DELIMITER, the value, the delimiter again.
    const written: Record<string, string> = {};
    for (const m of file.matchAll(/^(\w+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) written[m[1] as string] = m[3] as string;
    expect(written).toEqual(p.values);
  });

  it("--format github without $GITHUB_ENV is refused before anything is read", async () => {
    const p = await project();
    const r = await runSecrets(["export", "--format", "github"], { cwd: p.cwd, env: p.env });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/NO_GITHUB_ENV/);
  });
});
