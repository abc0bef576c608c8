import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { spawnSecrets } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

const PW = "Canary-Pw";

/** Every form in which `pg` (and libpq) take a password, each hiding the canary somewhere else. */
const URL_FORMS: [string, string][] = [
  ["userinfo", `postgres://app:${PW}-1@db.internal:5432/app`],
  ["userinfo with @ and spaces", `postgres://app:${PW} 2@x y@db.internal/app`],
  ["percent-encoded userinfo", `postgresql://app:${PW}%40%2F3@db.internal/app`],
  ["?password= query parameter", `postgres://app@db.internal/app?sslmode=require&password=${PW}-4`],
  ["percent-encoded parameter name", `postgres://app@db.internal/app?%70assword=${PW}-5`],
  ["password with spaces in the query", `postgres://app@db.internal/app?password=${PW} 6 7`],
  ["sslpassword", `postgres://app@db.internal/app?sslkey=/k.pem&sslpassword=${PW}-8`],
  ["libpq key=value", `host=db.internal user=app password=${PW}-9 dbname=app`],
  ["libpq key=value, quoted", `host=db.internal password='${PW} \\' 10' dbname=app`],
  ["socket URL", `socket://app:${PW}-11@/var/run/postgresql?db=app`],
];

const settingsOf = (stdout: string) => new Map((JSON.parse(stdout).settings as { setting: string; value: string }[]).map((s) => [s.setting, s.value]));

describe("credentials are masked in config show, errors and --verbose", () => {
  for (const [form, url] of URL_FORMS) {
    it(`config show masks the password of a database URL: ${form}`, async () => {
      const cwd = await tmpdir();
      for (const json of [true, false]) {
        const r = await spawnSecrets(["config", "show", ...(json ? ["--json"] : [])], cwd, { SECRETS_DB: url });
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout + r.stderr).not.toContain(PW);
        if (json) expect(settingsOf(r.stdout).get("db")).toContain("****");
      }
    });
  }

  it("config show shows a test command or a command: generator as its program only", async () => {
    const cwd = await tmpdir();
    await writeFile(join(cwd, "secretshift.yaml"), `generator: "command:vault-gen --token ${PW}-gen"\n`);
    const r = await spawnSecrets(["config", "show", "--json"], cwd, {
      SECRETS_TEST_COMMAND: `curl -fsS -H 'Authorization: Bearer ${PW}-bearer' https://api.internal/check`,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain(PW);
    const settings = settingsOf(r.stdout);
    expect(settings.get("testCommand")).toMatch(/^curl … \(\d+ more chars hidden\)$/);
    expect(settings.get("generator")).toMatch(/^command:vault-gen … \(\d+ more chars hidden\)$/);
  });

  it("an error quoting a URL and --verbose output never show the password", async () => {
    const cwd = await tmpdir();
    for (const [, url] of URL_FORMS.slice(0, 7)) {
      const refused = url.replace("db.internal", "127.0.0.1:1").replace(":5432", "");
      const r = await spawnSecrets(["migrate", "local", "--dry-run", "--verbose", "--db", refused, "--table", "t", "--columns", "c"], cwd);
      expect(r.code, refused).not.toBe(0);
      expect(r.stdout + r.stderr, refused).not.toContain(PW);
    }
    // An unsupported URL is named by its scheme only.
    const odd = await spawnSecrets(["migrate", "local", "--dry-run", "--db", `mysql://root:${PW}@db/app`, "--table", "t", "--columns", "c"], cwd);
    expect(odd.code).toBe(2);
    expect(odd.stderr).not.toContain(PW);
  });
});
