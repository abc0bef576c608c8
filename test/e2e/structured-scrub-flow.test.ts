// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the ${secret:…} syntax is what these files hold
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { killSwitch } from "../helpers/crash.js";
import { localState } from "../helpers/crash-targets.js";
import { spawnSecrets } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

// `--scrub` on YAML and JSON with the built CLI: the files hold references (or lose the entries) at
// exactly the migrated paths, and rollback — also after a kill at the file's rename — puts back
// the bytes and the store. Values are canaries: none may reach any output.
const canary = () => `canary-${randomBytes(9).toString("hex")}`;

async function project() {
  const cwd = await tmpdir();
  const values = { password: canary(), token: canary(), key: canary() };
  const yamlText = `# app settings\ndb:\n    password: "${values.password}" # rotated monthly\n    host: db.internal\nfeature: on\n`;
  const jsonText = `{\n\t"api": {\n\t\t"token": "${values.token}",\n\t\t"key": "${values.key}"\n\t},\n\t"timeout": 1.50\n}`;
  await writeFile(join(cwd, "config.yaml"), yamlText);
  await writeFile(join(cwd, "secrets.json"), jsonText);
  const outputs: string[] = [];
  const cli = async (...args: string[]) => {
    const r = await spawnSecrets(args, cwd);
    outputs.push(r.stdout, r.stderr);
    return r;
  };
  const ok = async (...args: string[]) => {
    const r = await cli(...args);
    expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    return r;
  };
  await ok("init");
  const bytes = async () => ({ yaml: await readFile(join(cwd, "config.yaml")), json: await readFile(join(cwd, "secrets.json")) });
  const noCanary = () => {
    for (const out of outputs) for (const v of Object.values(values)) expect(out).not.toContain(v);
  };
  const original = await bytes();
  /** `rollback --last` puts both files back byte for byte and empties the store; no value was ever printed. */
  const rollsBack = async () => {
    await ok("rollback", "local", "--last", "--yes");
    const back = await bytes();
    expect(back.yaml.equals(original.yaml)).toBe(true);
    expect(back.json.equals(original.json)).toBe(true);
    expect(await localState(cwd)).toEqual({});
    noCanary();
  };
  return { cwd, values, cli, ok, bytes, original, rollsBack };
}

const from = ["--from", "config.yaml", "--from", "secrets.json", "--only", "db/password", "--only", "api/**"];

describe("migrate --scrub on YAML and JSON files", () => {
  it("reference: references at the migrated paths, everything else kept; rollback restores bytes and store", async () => {
    const p = await project();
    await p.ok("migrate", "local", ...from, "--yes", "--scrub", "reference");
    const now = await p.bytes();
    expect(now.yaml.toString()).toBe('# app settings\ndb:\n    password: "${secret:db/password}" # rotated monthly\n    host: db.internal\nfeature: on\n');
    expect(now.json.toString()).toBe('{\n\t"api": {\n\t\t"token": "${secret:api/token}",\n\t\t"key": "${secret:api/key}"\n\t},\n\t"timeout": 1.50\n}');
    expect(Object.keys(await localState(p.cwd)).sort()).toEqual(["api/key", "api/token", "db/password"]);

    await p.rollsBack();
  });

  it("remove: the entries go, with their commas", async () => {
    const p = await project();
    await p.ok("migrate", "local", ...from, "--yes", "--scrub", "remove");
    const now = await p.bytes();
    expect(now.yaml.toString()).toBe("# app settings\ndb:\n    host: db.internal\nfeature: on\n");
    expect(now.json.toString()).toBe('{\n\t"api": {},\n\t"timeout": 1.50\n}');
    await p.rollsBack();
  });

  it.each(["before-rename", "after-rename"])("a kill at the scrub's rename (%s): rollback restores the file bytes and the store exactly", async (moment) => {
    const p = await project();
    const killed = await spawnSecrets(["migrate", "local", ...from, "--yes", "--scrub", "reference"], p.cwd, killSwitch(`${moment}:config.yaml`));
    expect(killed.signal, killed.stderr).toBe("SIGKILL");
    for (const v of Object.values(p.values)) expect(killed.stdout + killed.stderr).not.toContain(v);
    const mid = await p.bytes();
    expect(mid.yaml.equals(p.original.yaml)).toBe(moment === "before-rename");
    await p.rollsBack();
  });
});
