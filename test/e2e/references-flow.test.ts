// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the ${secret:…} syntax is what these files hold
import { createHash, randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CRASH_TARGETS, type CrashTarget, localState } from "../helpers/crash-targets.js";
import { spawnSecrets } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

// The "Done when", with the built CLI: scrub to references, run the app on them, validate,
// and roll the file and the vault back byte for byte. Values are canaries: none may reach any output.
const sha = (v: string) => createHash("sha256").update(v).digest("hex");
const canary = () => `canary-${randomBytes(9).toString("hex")}`;

const APP = `const { createHash } = require("node:crypto");
const out = {};
for (const k of ["DATABASE_URL", "JWT_SECRET", "MULTI", "API_KEY", "URL"]) out[k] = process.env[k] === undefined ? null : createHash("sha256").update(process.env[k]).digest("hex");
console.log(JSON.stringify(out));`;

interface Target {
  readonly provider: string;
  readonly env: Record<string, string>;
  readonly args: readonly string[];
  state(cwd: string, prefix: string): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

const local = async (): Promise<Target> => ({
  provider: "local",
  env: {},
  args: [],
  state: (cwd) => localState(cwd),
  stop: async () => undefined,
});
const remote = (key: string) => async (): Promise<Target> => {
  const t: CrashTarget = await (CRASH_TARGETS[key] as () => Promise<CrashTarget>)();
  return { provider: t.provider, env: t.env, args: t.args, state: async (_, prefix) => t.state(prefix), stop: () => t.stop() };
};

describe.each([
  ["local", local],
  ["aws", remote("aws")],
  ["vault", remote("vault2")],
])("migrate --scrub reference → run → validate → rollback on %s", (_label, start) => {
  let target: Target;
  beforeAll(async () => {
    target = await start();
  });
  afterAll(async () => target?.stop());

  it("gives the app the original values and puts the .env back byte for byte", async () => {
    const cwd = await tmpdir();
    const prefix = `r${randomBytes(3).toString("hex")}-`;
    const values = { DATABASE_URL: `postgres://app:${canary()}@db/app`, JWT_SECRET: canary(), MULTI: `${canary()}\n${canary()}`, EXTERNAL: canary() };
    const original = Buffer.from(
      `\uFEFF# production\r\nDATABASE_URL="${values.DATABASE_URL}"\r\n\r\nexport JWT_SECRET='${values.JWT_SECRET}' # rotated monthly\r\nMULTI="${values.MULTI.replace("\n", "\\n")}"\r\nAPI_KEY=\${env:EXTERNAL}\r\nURL=x-$\${secret:literal}-y`,
      "utf8",
    );
    await writeFile(join(cwd, ".env"), original);
    await writeFile(join(cwd, "app.js"), APP);
    const env = { ...target.env, EXTERNAL: values.EXTERNAL };
    const cli = (...args: string[]) => spawnSecrets([...args, ...target.args], cwd, env);
    const outputs: string[] = [];
    const ok = async (...args: string[]) => {
      const r = await cli(...args);
      outputs.push(r.stdout, r.stderr);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      return r;
    };

    await ok("init");
    const before = await target.state(cwd, prefix);
    await ok("migrate", target.provider, "--yes", "--scrub", "reference", "--prefix", prefix);
    const scrubbed = await readFile(join(cwd, ".env"), "utf8");
    for (const v of Object.values(values)) for (const piece of v.split("\n")) expect(scrubbed).not.toContain(piece);
    expect(scrubbed).toMatch(
      new RegExp(`^\uFEFF# production\r\nDATABASE_URL=\\$\\{secret:(${target.provider}:)?${prefix}DATABASE_URL\\}\r\n\r\nexport JWT_SECRET=`),
    );
    expect(scrubbed).toContain("# rotated monthly\r\n");

    const run = await cli("run", "--", process.execPath, "app.js");
    outputs.push(run.stderr);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      DATABASE_URL: sha(values.DATABASE_URL),
      JWT_SECRET: sha(values.JWT_SECRET),
      MULTI: sha(values.MULTI),
      API_KEY: sha(values.EXTERNAL),
      URL: sha("x-${secret:literal}-y"),
    });
    expect((await ok("validate", target.provider, "--prefix", prefix)).stdout).toMatch(/^in sync: /m);

    await ok("rollback", target.provider, "--last", "--yes");
    expect((await readFile(join(cwd, ".env"))).equals(original)).toBe(true);
    expect(await target.state(cwd, prefix)).toEqual(before);
    for (const out of outputs) for (const v of Object.values(values)) for (const piece of v.split("\n")) expect(out).not.toContain(piece);
  });
});
