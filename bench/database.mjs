import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startPostgres } from "./postgres.mjs";
import { BIN } from "./util.mjs";

const PRELOAD = fileURLToPath(new URL("./peak-rss.cjs", import.meta.url));
const COLUMNS = "api_key,refresh_token";

/**
 * Goals (issue 17): a live and a dry migrate of 10,000 and 100,000 rows × 2 columns from PostgreSQL
 * into `local`, each beside psql's `COPY … TO STDOUT` of the same rows (the cheapest way to read
 * them), interleaved round by round so load hits all three alike; medians. The goal for the
 * database path is ≤ 1.3× the `.env` path (see local-migrate), so the COPY ratio is shown, not judged.
 */
export async function run() {
  const server = await startPostgres();
  const psql = findPsql(server.binDir);
  const rounds = Number(process.env.BENCH_DB_ROUNDS ?? 3);
  const sizes = (process.env.BENCH_DB_ROWS ?? "10000,100000").split(",").map(Number);
  const dir = mkdtempSync(join(tmpdir(), "secretshift-bench-db-"));
  try {
    for (const rows of sizes) {
      const table = `bench_${rows}`;
      await server.query(
        `CREATE TABLE ${table} AS SELECT g AS id, 'sk-' || md5(g::text) AS api_key, 'rt-' || md5((g * 31)::text) AS refresh_token FROM generate_series(1, ${rows}) g;
         ALTER TABLE ${table} ADD PRIMARY KEY (id)`,
      );
      const times = { copy: [], dry: [], live: [] };
      let peak = { dry: 0, live: 0 };
      for (let i = 0; i < rounds; i++) {
        times.copy.push(copyOut(psql, server.url, table));
        const dry = migrate(dir, server.url, table, ["--dry-run"]);
        const live = migrate(dir, server.url, table, ["--yes"]);
        if (dry.counted !== rows * 2 || live.counted !== rows * 2) throw new Error(`expected ${rows * 2} creates, got ${dry.counted} and ${live.counted}`);
        times.dry.push(dry.ms);
        times.live.push(live.ms);
        peak = { dry: Math.max(peak.dry, dry.peakMiB), live: Math.max(peak.live, live.peakMiB) };
      }
      const copy = median(times.copy);
      console.log(
        `${String(rows).padStart(7)} rows × 2 columns, median of ${rounds} interleaved rounds; COPY TO STDOUT via psql ${(copy / 1000).toFixed(2)} s`,
      );
      for (const kind of ["dry", "live"]) {
        const ms = median(times[kind]);
        console.log(
          `  ${kind === "dry" ? "dry run " : "live run"}  ${(ms / 1000).toFixed(2)} s = ${(ms / copy).toFixed(1)}× COPY  ${Math.round((rows * 2 * 1000) / ms)} cells/s  peak RSS ${peak[kind].toFixed(0)} MiB (goal ≤ 256)`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await server.stop();
  }
}

/** psql beside initdb, else on PATH, else in Debian's versioned folders; COPY needs it. */
function findPsql(binDir) {
  const dirs = [binDir, ...(process.env.PATH ?? "").split(delimiter), ...versionedBins()];
  const found = dirs.map((d) => join(d, "psql")).find((p) => existsSync(p));
  if (!found) throw new Error("psql not found (beside initdb, on PATH or under /usr/lib/postgresql): the COPY baseline needs it");
  return found;
}

const versionedBins = () => (existsSync("/usr/lib/postgresql") ? readdirSync("/usr/lib/postgresql").map((v) => join("/usr/lib/postgresql", v, "bin")) : []);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function copyOut(psql, url, table) {
  const start = process.hrtime.bigint();
  const r = spawnSync(psql, [url, "-X", "-q", "-c", `COPY (SELECT id, ${COLUMNS} FROM ${table}) TO STDOUT`], { stdio: ["ignore", "ignore", "pipe"] });
  if (r.status !== 0) throw new Error(`psql COPY exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** One run in a fresh project (a live run must create every cell, so each gets its own store). */
function migrate(root, url, table, flags) {
  const cwd = mkdtempSync(join(root, "run-"));
  try {
    const env = { ...process.env, CI: "true", BENCH_PEAK_RSS_FILE: join(cwd, ".rss") };
    const init = spawnSync(process.execPath, [BIN, "init"], { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
    if (init.status !== 0) throw new Error(`init exited ${init.status}: ${init.stderr}`);
    const out = openSync(join(cwd, ".out.json"), "w");
    const args = ["--require", PRELOAD, BIN, "migrate", "local", "--db", url, "--table", table, "--columns", COLUMNS, "--json", ...flags];
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd, env, stdio: ["ignore", out, "pipe"] });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    closeSync(out);
    if (r.status !== 0) throw new Error(`migrate ${flags.join(" ")} exited ${r.status}: ${r.stderr}`);
    const summary = JSON.parse(readFileSync(join(cwd, ".out.json"), "utf8")).summary;
    return { ms, counted: summary.create, peakMiB: Number(readFileSync(join(cwd, ".rss"), "utf8")) / 1024 };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}
