import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

export interface TestPostgres {
  /** Superuser URL for the `postgres` database. */
  readonly url: string;
  readonly port: number;
  readonly password: string;
  adminUrl(db?: string): string;
  createDatabase(name: string): Promise<string>;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[], db?: string): Promise<R[]>;
  /** The server's log as bytes (every statement and its bind parameters with `logStatements`). */
  log(): Buffer;
  stop(): Promise<void>;
}

export interface PostgresOptions {
  /** `log_statement=all`: the log then holds every statement the server received, as an attacker with it would see. */
  readonly logStatements?: boolean;
}

/** `initdb` on PATH (/usr/local/bin here), else the Debian package's versioned bin directory. */
function findBinDir(): string {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl"))) return dir;
  }
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const dir = join(root, v, "bin");
    if (existsSync(join(dir, "initdb"))) return dir;
  }
  throw new Error("PostgreSQL binaries not found: install the `postgresql` package (.ci/run does) or put initdb on PATH");
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const isRoot = (): boolean => process.getuid?.() === 0;

/** initdb refuses to run as root, so the server runs as the `postgres` OS user then. */
function asServerUser(bin: string, args: string[]): [string, string[]] {
  if (!isRoot()) return [bin, args];
  const runuser = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].find((p) => existsSync(p));
  if (runuser) return [runuser, ["-u", "postgres", "--", bin, ...args]];
  const quoted = [bin, ...args].map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
  return ["su", ["postgres", "-s", "/bin/sh", "-c", quoted]];
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) chownTree(child, uid, gid);
    else chownSync(child, uid, gid);
  }
}

function postgresIds(): { uid: number; gid: number } {
  try {
    const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"]).toString().trim());
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    throw new Error("running as root needs a `postgres` OS user (the Debian postgresql package creates it)");
  }
}

/**
 * A real, throwaway PostgreSQL server on a random loopback port with password (SCRAM) auth over TCP.
 * Tuned for tests (no fsync); one per test file in `beforeAll`, `stop()` in `afterAll`.
 */
export async function startPostgres(opts: PostgresOptions = {}): Promise<TestPostgres> {
  const binDir = findBinDir();
  // As root, os.tmpdir() may sit under a directory the postgres user cannot enter.
  const base = mkdtempSync(join(isRoot() ? "/tmp" : tmpdir(), "secretshift-pg-"));
  const data = join(base, "data");
  const sockets = join(base, "sock");
  const pwfile = join(base, "pw");
  const password = randomBytes(12).toString("hex");
  mkdirSync(sockets);
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (isRoot()) {
    const { uid, gid } = postgresIds();
    chownTree(base, uid, gid);
  }

  const pgRun = (tool: string, args: string[]) => {
    const [cmd, argv] = asServerUser(join(binDir, tool), args);
    return run(cmd, argv, { env: { ...process.env, LC_ALL: "C" } });
  };

  await pgRun("initdb", [
    "-D",
    data,
    "-U",
    "postgres",
    "-E",
    "UTF8",
    "--no-locale",
    "--no-sync",
    "--no-instructions",
    "--auth-local=trust",
    "--auth-host=scram-sha-256",
    `--pwfile=${pwfile}`,
  ]);

  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    const options = [
      `-p ${port}`,
      `-k ${sockets}`,
      "-c listen_addresses=127.0.0.1",
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      ...(opts.logStatements ? ["-c log_statement=all", "-c log_min_error_statement=debug5"] : []),
    ].join(" ");
    try {
      await pgRun("pg_ctl", ["start", "-D", data, "-w", "-t", "60", "-l", join(base, "server.log"), "-o", options]);
      break;
    } catch (e) {
      // Another process may have taken the port between probing and binding.
      if (attempt >= 3) throw e;
    }
  }

  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    try {
      const [cmd, argv] = asServerUser(join(binDir, "pg_ctl"), ["stop", "-D", data, "-m", "immediate", "-w"]);
      execFileSync(cmd, argv, { stdio: "ignore" });
    } catch {
      // already gone
    }
    rmSync(base, { recursive: true, force: true });
  };
  // A crashed test run must not leave a server behind.
  process.once("exit", stopSync);

  const adminUrl = (db = "postgres") => `postgres://postgres:${password}@127.0.0.1:${port}/${db}`;
  const clients = new Map<string, pg.Client>();
  const clientFor = async (db: string): Promise<pg.Client> => {
    let client = clients.get(db);
    if (!client) {
      client = new pg.Client({ connectionString: adminUrl(db) });
      await client.connect();
      clients.set(db, client);
    }
    return client;
  };

  return {
    url: adminUrl(),
    port,
    password,
    adminUrl,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad test database name ${name}`);
      const client = await clientFor("postgres");
      await client.query(`CREATE DATABASE "${name}"`);
      return adminUrl(name);
    },
    log: () => readFileSync(join(base, "server.log")),
    async query(sql, params, db = "postgres") {
      const client = await clientFor(db);
      return (await client.query(sql, params)).rows;
    },
    async stop() {
      for (const client of clients.values()) await client.end().catch(() => {});
      clients.clear();
      process.removeListener("exit", stopSync);
      stopSync();
    },
  };
}
