import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import { KINDS, leaks, random } from "../helpers/fake-secrets.js";
import { plantTree } from "../helpers/plant-tree.js";
import { type CliResult, parseJson, runSecrets } from "../helpers/run-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

const FIXTURE = fileURLToPath(new URL("../../fixtures/scan/tree", import.meta.url));
const SEED = Number(process.env.SCAN_SEED ?? Math.floor(Math.random() * 2 ** 31));
const rand = random(SEED);
const findings = (r: CliResult) => parseJson(r).findings as { rule: string; confidence: string; location: string; file?: { path: string } }[];

describe("scan options", () => {
  let cwd: string;
  const scan = (...args: string[]) => runSecrets(["scan", ...args], { cwd });
  beforeAll(async () => {
    cwd = await tmpdir();
    await plantTree(FIXTURE, cwd, random(SEED));
  });

  it("--min-confidence keeps what is at or above the level, and the exit code follows what is kept", async () => {
    const all = findings(await scan("--json"));
    const high = await scan("--json", "--min-confidence", "high");
    expect(findings(high).map((f) => f.location)).toEqual(all.filter((f) => f.confidence === "high").map((f) => f.location));
    const medium = findings(await scan("--json", "--min-confidence", "medium"));
    expect(medium.map((f) => f.location)).toEqual(all.filter((f) => f.confidence !== "low").map((f) => f.location));
    expect(new Set(all.map((f) => f.confidence))).toEqual(new Set(["high", "medium", "low"]));
  });

  it("--exclude-path leaves out folders by path and files by name; a named file is scanned even if gitignored", async () => {
    const paths = async (...args: string[]) => new Set(findings(await scan("--json", ...args)).map((f) => f.file?.path));
    const noSrc = await paths("--exclude-path", "src/**");
    expect([...noSrc].some((p) => p?.startsWith("src/"))).toBe(false);
    expect(noSrc).toContain(".env");
    const noYaml = await paths("--exclude-path", "*.yaml", "--exclude-path", "*.json");
    expect([...noYaml].filter((p) => /\.(ya?ml|json)$/.test(p ?? ""))).toEqual([]);
    expect(await paths(".env.local", "config")).toEqual(
      new Set([".env.local", "config/app.yaml", "config/mail.ini", "config/prod settings/app.env", "config/service-account.json"]),
    );
  });

  it("exit 0 on a clean tree; usage mistakes are exit 2 with one line and a hint", async () => {
    const clean = await tmpdir();
    await writeFile(join(clean, ".env"), `PORT=8080\nAPI_KEY=\${secret:API_KEY}\n`);
    const ok = await runSecrets(["scan"], { cwd: clean });
    expect([ok.code, ok.stdout]).toEqual([0, "no plaintext secrets found · 1 file scanned\n"]);
    const mistakes: [string[], string][] = [
      [["--db", "sqlite:x.db"], "--db needs --table <name> or --all-tables"],
      [["--table", "users"], "--table need --db"],
      [["--db", "sqlite:x.db", "--table", "a", "--all-tables"], "--table and --all-tables exclude each other"],
      [["--db", "sqlite:x.db", "--all-tables", "--columns", "a"], "--columns and --key go with exactly one --table"],
      [["--json", "--format", "sarif"], "--json and --format sarif disagree"],
      [["--format", "xml"], "argument 'xml' is invalid"],
      [["--sample", "0"], "expected a positive whole number"],
      [["--min-confidence", "certain"], "argument 'certain' is invalid"],
      [["--provider", "My Vault"], "is not a provider name"],
      [["no/such/path"], "SCAN_PATH_NOT_FOUND"],
      [["--db", "mysql://u:hunter2@h/db", "--all-tables"], "unsupported database URL scheme"],
    ];
    for (const [args, message] of mistakes) {
      const r = await scan(...args);
      expect([r.code, r.stderr], args.join(" ")).toEqual([2, expect.stringContaining(message)]);
      expect(r.stderr).not.toContain("hunter2");
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("scans SQLite tables: text and JSON columns, the rowid when there is no key, a random sample unless --full", async () => {
    const file = join(cwd, "data", "app.db");
    await mkdir(join(cwd, "data"), { recursive: true });
    const db = new Database(file);
    const token = KINDS["github-token"]?.make(rand) ?? "";
    const stripe = KINDS["stripe-secret-key"]?.make(rand) ?? "";
    db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, api_token VARCHAR(80), prefs JSON, score INTEGER, avatar BLOB)");
    db.prepare("INSERT INTO users (email, api_token, prefs, score) VALUES (?, ?, ?, ?)").run("ada@example.org", token, '{"theme":"dark"}', 3);
    db.prepare("INSERT INTO users (email, api_token, prefs, score) VALUES (?, ?, ?, ?)").run("alan@example.org", "secret:local:users/2/api_token", "{}", 5);
    db.exec("CREATE TABLE notes (body TEXT)");
    db.prepare("INSERT INTO notes VALUES (?)").run(`stripe ${stripe}`);
    db.exec("CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT)");
    const insert = db.prepare("INSERT INTO big (v) VALUES (?)");
    db.transaction(() => {
      for (let i = 0; i < 3000; i++) insert.run(`row ${i}`);
    })();
    db.close();
    const result = await scan("--db", "sqlite:data/app.db", "--all-tables", "--json");
    expect(result.code, result.stderr).toBe(1);
    expect(findings(result).map((f) => `${f.location} ${f.rule}`)).toEqual(["notes.body[key=1] stripe-secret-key", "users.api_token[key=1] github-token"]);
    const tables = (parseJson(result).summary as { tables: { table: string; columns: string[]; key: string; sampled: boolean }[] }).tables;
    expect(tables.map((t) => `${t.table}(${t.columns.join(",")}) key ${t.key} ${t.sampled ? "sampled" : "full"}`)).toEqual([
      "big(v) key id sampled",
      "notes(body) key rowid full",
      "users(email,api_token,prefs) key id full",
    ]);
    const full = await scan("--db", "sqlite:data/app.db", "--table", "big", "--full", "--json");
    expect((parseJson(full).summary as { tables: { cells: number }[] }).tables[0]?.cells).toBe(3000);
    expect(
      leaks(
        result.stdout + result.stderr,
        [token, stripe].map((v) => v.slice(4)),
      ),
    ).toEqual([]);
  });

  it("the SECRETS_DB/TABLE/COLUMNS a CI keeps for migrate add that table to a plain scan, and never break it", async () => {
    const env = { SECRETS_DB: "sqlite:data/app.db", SECRETS_TABLE: "users", SECRETS_COLUMNS: "api_token", SECRETS_KEY: "id" };
    const both = await runSecrets(["scan", "--json"], { cwd, env });
    const locations = findings(both).map((f) => f.location);
    expect(locations).toContain("users.api_token[key=1]");
    expect(locations).toContain(".env:4:19");
    const dbOnly = await runSecrets(["scan", "--json"], { cwd, env: { SECRETS_DB: "sqlite:data/app.db", SECRETS_KEY: "id" } });
    expect(dbOnly.code, dbOnly.stderr).toBe(1);
    expect(findings(dbOnly).some((f) => f.location.startsWith("users."))).toBe(false);
    expect(dbOnly.stderr).toContain("SECRETS_DB names a database but no table");
  });
});
