import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { parse } from "yaml";
import { BIN } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

const sh = promisify(execFile);
const EXAMPLES = new URL("../../examples/ci/", import.meta.url);

/** Every `run:` (GitHub) or `script:` (GitLab) line of a workflow file, in file order. */
function commandsOf(doc: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === "object") {
      for (const [k, v] of Object.entries(node)) {
        if (k === "run" && typeof v === "string") out.push(v);
        else if ((k === "script" || k === "before_script") && Array.isArray(v)) out.push(...v.map(String));
        else walk(v);
      }
    }
  };
  walk(doc);
  return out;
}

for (const file of ["github-actions.yml", "gitlab-ci.yml"]) {
  it(`every secrets command in examples/ci/${file} runs against the local store`, async () => {
    const doc = parse(await readFile(new URL(file, EXAMPLES), "utf8"));
    const commands = commandsOf(doc).filter((c) => c.trim().startsWith("secrets "));
    expect(commands.length).toBeGreaterThanOrEqual(4);
    const cwd = await tmpdir();
    await writeFile(join(cwd, ".env"), "jwt-secret=initial-signing-key-0123456789abcdef\nAPI_KEY=sk-live-0123456789abcdefghij\n");
    // The workflow's own variables, with the provider swapped for the built-in store.
    const env = {
      PATH: `${cwd}/bin:${process.env.PATH}`,
      HOME: cwd,
      CI: "true",
      SECRETS_TARGET: "local",
      SECRETS_ENCRYPTION_KEY: "ci-example-key-0123456789abcdefghijklmnop",
    };
    await sh("mkdir", ["-p", join(cwd, "bin")]);
    await writeFile(join(cwd, "bin", "secrets"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, { mode: 0o755 });
    for (const command of commands) {
      const result = await sh("bash", ["-euo", "pipefail", "-c", command], { cwd, env }).catch((e) => e);
      expect(result.code ?? 0, `${command}\n${result.stderr}`).toBe(0);
    }
  });
}
