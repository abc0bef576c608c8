import { execFile, execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

// A plain-JS cut of test/helpers/postgres.ts (bench files run without a TypeScript loader):
// a throwaway server on a random loopback port, trust auth, no fsync.
const run = promisify(execFile);
const isRoot = () => process.getuid?.() === 0;

function findBinDir() {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl"))) return dir;
  }
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(join(root, v, "bin", "initdb"))) return join(root, v, "bin");
  throw new Error("PostgreSQL binaries not found: install the `postgresql` package or put initdb on PATH");
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/** initdb refuses to run as root, so the server runs as the `postgres` OS user then. */
function asServerUser(bin, args) {
  if (!isRoot()) return [bin, args];
  const runuser = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].find((p) => existsSync(p));
  if (!runuser) throw new Error("running as root needs runuser to start PostgreSQL as `postgres`");
  return [runuser, ["-u", "postgres", "--", bin, ...args]];
}

function chownTree(path, uid, gid) {
  chownSync(path, uid, gid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) chownTree(child, uid, gid);
    else chownSync(child, uid, gid);
  }
}

/** `{ url, binDir, query(sql), stop() }` for a fresh server (binDir also holds its psql). */
export async function startPostgres() {
  const binDir = findBinDir();
  const base = mkdtempSync(join(isRoot() ? "/tmp" : tmpdir(), "secretshift-bench-pg-"));
  const data = join(base, "data");
  mkdirSync(join(base, "sock"));
  if (isRoot()) {
    const id = (flag) => Number(execFileSync("id", [flag, "postgres"]).toString().trim());
    chownTree(base, id("-u"), id("-g"));
  }
  const pgRun = (tool, args) => {
    const [cmd, argv] = asServerUser(join(binDir, tool), args);
    return run(cmd, argv, { env: { ...process.env, LC_ALL: "C" } });
  };
  await pgRun("initdb", ["-D", data, "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions", "--auth=trust"]);
  const port = await freePort();
  const options = `-p ${port} -k ${join(base, "sock")} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  await pgRun("pg_ctl", ["start", "-D", data, "-w", "-t", "60", "-l", join(base, "server.log"), "-o", options]);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    url,
    binDir,
    query: (sql) => client.query(sql),
    async stop() {
      await client.end().catch(() => {});
      const [cmd, argv] = asServerUser(join(binDir, "pg_ctl"), ["stop", "-D", data, "-m", "immediate", "-w"]);
      try {
        execFileSync(cmd, argv, { stdio: "ignore" });
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
    },
  };
}
