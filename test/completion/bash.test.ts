import { execFile } from "node:child_process";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/config/options.js";
import { PROVIDER_NAMES } from "../../src/providers/index.js";
import { runSecrets } from "../helpers/run-cli.js";
import { BIN } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

const run = promisify(execFile);
const CANARY = "CANARYcompletion9Qz7LmVt3Rk8WpN2";

/**
 * Bash itself completes: the generated script is sourced, COMP_WORDS/COMP_CWORD set as bash sets
 * them, the function called, COMPREPLY printed. `secrets` on PATH is the built CLI.
 */
describe("secrets completion bash, driven by bash", () => {
  let cwd: string;
  let script: string;
  let path: string;
  beforeAll(async () => {
    cwd = await tmpdir();
    const bin = join(cwd, "bin");
    await mkdir(bin);
    await writeFile(join(bin, "secrets"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    await chmod(join(bin, "secrets"), 0o755);
    path = `${bin}:${process.env.PATH ?? ""}`;
    const r = await runSecrets(["completion", "bash"], { cwd });
    expect(r.code, r.stderr).toBe(0);
    script = join(cwd, "secrets.bash");
    await writeFile(script, r.stdout);
  });

  /** COMPREPLY for the words typed so far; the last word is the one being completed. */
  async function complete(dir: string, ...words: string[]): Promise<string[]> {
    const code = `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _secrets_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const { stdout } = await run("bash", ["-c", code, "bash", script, "secrets", ...words], { cwd: dir, env: { PATH: path, HOME: dir } });
    return stdout.split("\n").filter(Boolean).sort();
  }

  it("registers for secrets and secretshift", async () => {
    const { stdout } = await run("bash", ["-c", `source "${script}"; complete -p secrets secretshift`]);
    expect(stdout).toContain("complete -F _secrets_complete secrets");
    expect(stdout).toContain("secretshift");
  });

  it("completes commands from the CLI's definitions, not the hidden helper", async () => {
    const tops = [...new Set(COMMANDS.filter((c) => !c.hidden).map((c) => c.name.split(" ")[0]))].sort();
    expect(await complete(cwd, "")).toEqual(tops);
    expect(await complete(cwd, "r")).toEqual(["rollback", "rotate", "run"]);
    expect(await complete(cwd, "export", "")).toEqual(["k8s"]);
    expect(tops).not.toContain("__complete");
  });

  it("completes providers, flags and choices", async () => {
    expect(await complete(cwd, "migrate", "")).toEqual([...PROVIDER_NAMES].sort());
    expect(await complete(cwd, "migrate", "aws", "--on-")).toEqual(["--on-conflict"]);
    expect(await complete(cwd, "migrate", "aws", "--on-conflict", "")).toEqual(["fail", "overwrite", "skip"]);
    expect(await complete(cwd, "rotate", "X", "--provider", "")).toEqual([...PROVIDER_NAMES].sort());
    expect(await complete(cwd, "rotate", "X", "--strategy", "postgres")).toEqual(["postgres", "postgres-alternating"]);
    expect(await complete(cwd, "policy", "vault", "--for", "r")).toEqual(["rollback", "rotate", "run"]);
    expect(await complete(cwd, "config", "show", "--prov")).toEqual(["--provider"]);
    expect(await complete(cwd, "completion", "")).toEqual(["bash", "fish", "zsh"]);
    // a flag's value is not the first argument: after it, a provider is still what comes next
    expect(await complete(cwd, "validate", "--state-dir", "x", "")).toEqual([...PROVIDER_NAMES].sort());
  });

  it("completes the local store's names for get, rotate and --only once the key opens it; never a value", async () => {
    const project = await tmpdir();
    expect((await runSecrets(["init"], { cwd: project })).code).toBe(0);
    expect(await complete(project, "get", "")).toEqual([]);
    await writeFile(join(project, ".env"), `API_KEY=${CANARY}\nDB_PASSWORD=${CANARY}x\n`);
    expect((await runSecrets(["migrate", "local", "--yes"], { cwd: project })).code).toBe(0);
    expect(await complete(project, "get", "")).toEqual(["API_KEY", "DB_PASSWORD"]);
    expect(await complete(project, "rotate", "DB")).toEqual(["DB_PASSWORD"]);
    expect(await complete(project, "migrate", "aws", "--only", "A")).toEqual(["API_KEY"]);
    const { stdout } = await run(process.execPath, [BIN, "__complete", "names"], { cwd: project, env: { PATH: path, HOME: project } });
    expect(stdout).toBe("API_KEY\nDB_PASSWORD\n");
    expect(stdout).not.toContain(CANARY);
  });

  it("prints nothing, and exits 0, when the store cannot be opened", async () => {
    const project = await tmpdir();
    expect((await runSecrets(["init"], { cwd: project })).code).toBe(0);
    await writeFile(join(project, ".env"), `API_KEY=${CANARY}\n`);
    expect((await runSecrets(["migrate", "local", "--yes"], { cwd: project })).code).toBe(0);
    const wrongKey = { PATH: path, HOME: project, SECRETS_ENCRYPTION_KEY: "a-different-key-that-is-long-enough-0123456789" };
    const r = await run(process.execPath, [BIN, "__complete", "names"], { cwd: project, env: wrongKey });
    expect(r.stdout + r.stderr).toBe("");
    const empty = await tmpdir();
    const none = await run(process.execPath, [BIN, "__complete", "names"], { cwd: empty, env: { PATH: path, HOME: empty } });
    expect(none.stdout + none.stderr).toBe("");
  });
});

describe("secrets completion zsh and fish", () => {
  // Neither shell is installed on the CI machine, so `zsh -n` / `fish -n` cannot run here: the
  // scripts are checked for what they must hold, and bash parses the zsh one's shared function.
  it("zsh loads bash's completion function through bashcompinit", async () => {
    const cwd = await tmpdir();
    const zsh = (await runSecrets(["completion", "zsh"], { cwd })).stdout;
    const bash = (await runSecrets(["completion", "bash"], { cwd })).stdout;
    expect(zsh.split("\n").slice(0, 2)).toEqual(["#compdef secrets secretshift", "autoload -U +X bashcompinit && bashcompinit"]);
    expect(zsh.endsWith(bash)).toBe(true);
    await run("bash", ["-n", "-c", zsh]);
  });

  it("fish has a line for every command and every flag, and names from the hidden helper", async () => {
    const fish = (await runSecrets(["completion", "fish"], { cwd: await tmpdir() })).stdout;
    for (const c of COMMANDS.filter((c) => !c.hidden)) {
      const last = c.name.split(" ").at(-1) ?? "";
      expect(fish).toContain(`-a '${last}'`);
      for (const o of c.options) expect(fish).toContain(`-l ${(o.flags.split(/[ ,]/)[0] ?? "").replace(/^--/, "")} `);
    }
    expect(fish).toContain(`-xa '(secrets __complete names 2>/dev/null)'`);
    expect(fish).toContain("-l on-conflict -d 'when the vault holds a different value' -xa 'overwrite skip fail'");
  });
});
