import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KINDS, leaks, random, secretPart } from "../helpers/fake-secrets.js";
import { startPostgres, type TestPostgres } from "../helpers/postgres.js";
import { type CliResult, parseJson, runSecrets } from "../helpers/run-cli.js";
import { sarifErrors } from "../helpers/sarif-schema.js";
import { tmpdir } from "../helpers/tmpdir.js";

const SEED = Number(process.env.SCAN_SEED ?? Math.floor(Math.random() * 2 ** 31));
const rand = random(SEED);
const make = (kind: string) => KINDS[kind]?.make(rand) ?? "";

interface Plant {
  readonly location: string;
  readonly rule: string;
  readonly kind: string;
  readonly value: string;
}

interface JsonFinding {
  rule: string;
  confidence: string;
  location: string;
  cell: { table: string; column: string; row: string };
  suggestion: string;
}

let server: TestPostgres;
let url: string;
let cwd: string;
const plants: Plant[] = [];
/** Values that are not findings but must never be printed either: the client secrets keying a table. */
const rowKeys: string[] = [];
const EVENT_ROWS = 5000;

function plant(location: string, kind: string): string {
  const value = make(kind);
  plants.push({ location, rule: KINDS[kind]?.rule ?? "", kind, value });
  return value;
}

beforeAll(async () => {
  server = await startPostgres();
  url = await server.createDatabase("scan");
  cwd = await tmpdir();
  const sql = (text: string, params?: unknown[]) => server.query(text, params, "scan");
  await sql(`CREATE TABLE accounts (id serial PRIMARY KEY, name text NOT NULL, stripe_key text, settings jsonb, password_hash text, avatar text,
    checksum varchar(64), external_ref uuid, webhook_url text, notes varchar(500), balance numeric(12, 2))`);
  const account = (values: unknown[]) =>
    sql(
      "INSERT INTO accounts (name, stripe_key, settings, password_hash, avatar, checksum, external_ref, webhook_url, notes, balance) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 10.5)",
      values,
    );
  await account([
    "Acme",
    plant("accounts.stripe_key[key=1]", "stripe-secret-key"),
    JSON.stringify({ theme: "dark", openai: { api_key: plant("accounts.settings[key=1]", "openai-api-key") } }),
    "$2b$12$KIXQJQp7zEhAhY1HHuJ5/.H9J4ZGK5pYdRvhLLHvBs1sAg9tXFwFW",
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    "6fa459ea-ee8a-3ca4-894e-db77e160355e",
    plant("accounts.webhook_url[key=1]", "slack-webhook-url"),
    "call back on Tuesday",
  ]);
  await account([
    "Globex",
    "secret:local:accounts/2/stripe_key",
    JSON.stringify({ smtp_password: plant("accounts.settings[key=2]", "generic-random") }),
    "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
    null,
    null,
    null,
    null,
    `session token ${plant("accounts.notes[key=2]", "jwt")}`,
  ]);
  await account(["Initech", null, JSON.stringify({ region: "eu-west-1", api_key: `\${secret:INITECH_KEY}` }), null, null, null, null, null, ""]);
  await account(["Umbrella", "sk_test_xxxxxxxxxxxxxxxxxxxxxxxxxxxx", null, null, null, null, null, null, null]);
  await sql("UPDATE accounts SET notes = $1 WHERE id = 4", [
    `replica at postgres://umbrella:${plant("accounts.notes[key=4]", "url-password")}@replica.internal:5432/app`,
  ]);
  await account([
    "550e8400-e29b-41d4-a716-446655440000",
    null,
    JSON.stringify({ request_id: "16fd2706-8baf-433b-82eb-8c7fada847da", commit: "3f786850e387550fdab836ed7e6dc881de23001b" }),
    null,
    null,
    null,
    null,
    null,
    "Supercalifragilisticexpialidocious",
  ]);

  // A table keyed by a secret: its findings must not print the key.
  await sql("CREATE TABLE api_clients (client_secret text PRIMARY KEY, label text)");
  for (const label of ["ci bot", `deploy bot ${make("github-token")}`]) {
    const secret = make("generic-random");
    rowKeys.push(secret);
    await sql("INSERT INTO api_clients VALUES ($1, $2)", [secret, label]);
  }
  const labelled = (await sql("SELECT label FROM api_clients WHERE label LIKE 'deploy%'"))[0]?.label as string;
  plants.push({ location: "api_clients.label[key=", rule: "github-token", kind: "github-token", value: labelled.slice("deploy bot ".length) });

  await sql("CREATE TABLE events (id bigint PRIMARY KEY, payload text)");
  const rows: string[] = [];
  for (let id = 1; id <= EVENT_ROWS; id++) {
    const token = id % 500 === 0 ? plant(`events.payload[key=${id}]`, "github-token") : undefined;
    rows.push(JSON.stringify(token ? { event: "deploy", token } : { event: "signup", user: `user-${id}` }));
  }
  await sql("INSERT INTO events SELECT i, ($1::text[])[i] FROM generate_series(1, $2::int) AS i", [rows, EVENT_ROWS]);

  await sql("CREATE SCHEMA billing");
  await sql("CREATE TABLE billing.invoices (id int PRIMARY KEY, gateway_key text, memo text)");
  await sql("INSERT INTO billing.invoices VALUES (1, $1, 'net 30'), (2, NULL, 'net 60')", [plant("billing.invoices.gateway_key[key=1]", "google-api-key")]);
  await sql("CREATE TABLE audit_log (at timestamptz DEFAULT now(), message text)");
  await sql("INSERT INTO audit_log (message) VALUES ('boot')");
  await sql("CREATE TABLE counters (id int PRIMARY KEY, hits bigint)");
}, 120_000);
afterAll(async () => server?.stop());

const scan = (...args: string[]) => runSecrets(["scan", "--db", url, ...args], { cwd });
const findingsOf = (r: CliResult) => parseJson(r).findings as JsonFinding[];
const matches = (f: JsonFinding, p: Plant) =>
  f.rule === p.rule && (p.location.endsWith("[key=") ? f.location.startsWith(p.location) : f.location === p.location);

describe(`secrets scan --db against PostgreSQL (seed ${SEED})`, () => {
  it("--all-tables --full: every planted cell, none of the decoys, the row key of a secret-keyed table masked", async () => {
    const result = await scan("--all-tables", "--full", "--json");
    expect(result.code, result.stderr).toBe(1);
    const found = findingsOf(result);
    const hits = found.filter((f) => plants.some((p) => matches(f, p))).length;
    console.log(
      `scan postgres --full: ${plants.length} planted, ${found.length} found; precision ${(hits / found.length).toFixed(3)} (${hits}/${found.length}), ` +
        `recall ${(hits / plants.length).toFixed(3)} (${hits}/${plants.length})`,
    );
    expect(plants.filter((p) => !found.some((f) => matches(f, p))).map((p) => p.location)).toEqual([]);
    expect(found.filter((f) => !plants.some((p) => matches(f, p))).map((f) => `${f.location} ${f.rule}`)).toEqual([]);
    expect(found.find((f) => f.location.startsWith("api_clients"))?.location).toMatch(/^api_clients\.label\[key=.+ \(\d+ chars\)\]$/);
    expect(found.find((f) => f.location === "accounts.settings[key=2]")?.confidence).toBe("medium");
    const document = parseJson(result) as {
      summary: { tables: { table: string; sampled: boolean; cells: number }[] };
      skipped: { tables: { table: string }[] };
    };
    expect(document.summary.tables.map((t) => `${t.table} ${t.sampled}`)).toEqual([
      "billing.invoices false",
      "accounts false",
      "api_clients false",
      "events false",
    ]);
    expect(document.summary.tables.find((t) => t.table === "events")?.cells).toBe(EVENT_ROWS);
    expect(document.skipped.tables.map((t) => t.table)).toEqual(["audit_log", "counters"]);
    expect(result.stderr).toContain("table audit_log not scanned: it has no single-column primary key");
    expect(result.stderr).not.toContain("counters");
  });

  it("samples by default: a repeatable subset of a large table, everything of the small ones", async () => {
    const first = await scan("--all-tables", "--json");
    const second = await scan("--all-tables", "--json");
    const events = (r: CliResult) =>
      findingsOf(r)
        .filter((f) => f.cell.table === "events")
        .map((f) => f.location);
    const tables = (parseJson(first) as { summary: { tables: { table: string; sampled: boolean; cells: number }[] } }).summary.tables;
    const sampled = tables.find((t) => t.table === "events");
    expect(sampled?.sampled).toBe(true);
    // About --sample (1000) rows of 5000, chosen by a hash of the key: the same ones on every run.
    expect(sampled?.cells).toBeGreaterThan(700);
    expect(sampled?.cells).toBeLessThan(1300);
    expect(events(second)).toEqual(events(first));
    for (const location of events(first)) expect(plants.map((p) => p.location)).toContain(location);
    const others = (r: CliResult) => findingsOf(r).filter((f) => f.cell.table !== "events").length;
    expect(others(first)).toBe(plants.filter((p) => !p.location.startsWith("events")).length);
    const more = await scan("--table", "events", "--sample", "6000", "--json");
    expect(findingsOf(more).length).toBe(EVENT_ROWS / 500);
  });

  it("--table with --columns scans just those; each finding's suggested migrate plans that cell", async () => {
    const result = await scan("--table", "accounts", "--columns", "notes,stripe_key", "--json", "--provider", "local");
    expect(findingsOf(result).map((f) => f.location)).toEqual(["accounts.stripe_key[key=1]", "accounts.notes[key=2]", "accounts.notes[key=4]"]);
    for (const f of findingsOf(result)) {
      expect(f.suggestion).toContain(`--db 'postgres://postgres:****@127.0.0.1:${server.port}/scan' --table accounts --columns ${f.cell.column}`);
      const args = f.suggestion.replace("****", server.password).replaceAll("'", "").split(" ").slice(1);
      const plan = await runSecrets([...args, "--dry-run", "--json"], { cwd });
      expect(
        (parseJson(plan).items as { source: string }[]).map((i) => i.source),
        plan.stderr,
      ).toContain(f.location);
    }
  });

  it("reports no cell value, no row key that is a secret, and not the database password, in any format", async () => {
    const outputs = [
      await scan("--all-tables", "--full"),
      await scan("--all-tables", "--full", "--json"),
      await scan("--all-tables", "--full", "--format", "sarif"),
      await scan("--all-tables", "--full", "--format", "github"),
      await scan("--all-tables", "--full", "--verbose"),
    ];
    const text = outputs.map((o) => o.stdout + o.stderr).join("\n");
    expect(leaks(text, [...plants.map((p) => secretPart(p.kind, p.value)), ...rowKeys, server.password])).toEqual([]);
    expect(sarifErrors(JSON.parse(outputs[2]?.stdout ?? ""))).toEqual([]);
  });

  it("bad tables are usage errors, an unreachable server is exit 3", async () => {
    const missing = await scan("--table", "nope");
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining("DB_TABLE_NOT_FOUND")]);
    const keyless = await scan("--table", "audit_log");
    expect([keyless.code, keyless.stderr]).toEqual([2, expect.stringContaining("audit_log cannot be scanned")]);
    const keyed = await scan("--table", "audit_log", "--key", "at", "--columns", "message", "--json");
    expect(keyed.code, keyed.stderr).toBe(0);
    const down = await runSecrets(["scan", "--db", "postgres://nobody:pw@127.0.0.1:1/scan", "--all-tables"], { cwd });
    expect([down.code, down.stderr]).toEqual([3, expect.stringContaining("DB_UNREACHABLE")]);
    expect(down.stderr).not.toContain(":pw@");
  });
});
