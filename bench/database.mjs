import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startPostgres } from "./postgres.mjs";
import { BIN, benchEnv } from "./util.mjs";

const PRELOAD = fileURLToPath(new URL("./peak-rss.cjs", import.meta.url));
const COLUMNS = "api_key,refresh_token";

/**
 * Goals (issue 17): a live and a dry migrate of 10,000 and 100,000 rows × 2 columns from PostgreSQL
 * into `local`, each beside psql's `COPY … TO STDOUT` of the same rows (the cheapest way to read
 * them) and beside a live migrate of a `.env` holding the same values, interleaved round by round
 * so load hits all four alike; medians. The goal is the database path ≤ 1.3× the `.env` path; the
 * COPY ratio is shown, not judged.
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
      const envText = sameAsEnv(rows);
      const times = { copy: [], dry: [], live: [], env: [] };
      const peak = { dry: 0, live: 0, env: 0 };
      for (let i = 0; i < rounds; i++) {
        times.copy.push(copyOut(psql, server.url, table));
        const dry = migrate(dir, ["--db", server.url, "--table", table, "--columns", COLUMNS, "--dry-run"]);
        const live = migrate(dir, ["--db", server.url, "--table", table, "--columns", COLUMNS, "--yes"]);
        const env = migrate(dir, ["--from", ".env", "--yes"], envText);
        if ([dry, live, env].some((r) => r.counted !== rows * 2))
          throw new Error(`expected ${rows * 2} creates, got ${dry.counted}, ${live.counted}, ${env.counted}`);
        for (const kind of ["dry", "live", "env"]) {
          const r = { dry, live, env }[kind];
          times[kind].push(r.ms);
          peak[kind] = Math.max(peak[kind], r.peakMiB);
        }
      }
      const copy = median(times.copy);
      console.log(
        `${String(rows).padStart(7)} rows × 2 columns, median of ${rounds} interleaved rounds; COPY TO STDOUT via psql ${(copy / 1000).toFixed(2)} s`,
      );
      for (const kind of ["dry", "live", "env"]) {
        const ms = median(times[kind]);
        const label = { dry: "dry run ", live: "live run", env: ".env run" }[kind];
        console.log(
          `  ${label}  ${(ms / 1000).toFixed(2)} s = ${(ms / copy).toFixed(1)}× COPY  ${Math.round((rows * 2 * 1000) / ms)} cells/s  peak RSS ${peak[kind].toFixed(0)} MiB (goal ≤ 256)`,
        );
      }
      const ratio = median(times.live) / median(times.env);
      console.log(
        `  live from the table = ${ratio.toFixed(2)}× live from a .env of the same ${rows * 2} values (goal ≤ 1.30×${ratio > 1.3 ? ": not met" : ""})`,
      );
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

/** The table's cells as a .env: the same count and the same values, so the two paths differ only in their source. */
function sameAsEnv(rows) {
  const md5 = (text) => createHash("md5").update(text).digest("hex");
  const lines = [];
  for (let g = 1; g <= rows; g++) lines.push(`R${g}_API_KEY=sk-${md5(String(g))}`, `R${g}_REFRESH_TOKEN=rt-${md5(String(g * 31))}`);
  return `${lines.join("\n")}\n`;
}

/** One live or dry run in a fresh project (a live run must create every cell, so each gets its own store). */
function migrate(root, sourceArgs, envText) {
  const cwd = mkdtempSync(join(root, "run-"));
  try {
    if (envText !== undefined) writeFileSync(join(cwd, ".env"), envText);
    const env = benchEnv({ BENCH_PEAK_RSS_FILE: join(cwd, ".rss") });
    const init = spawnSync(process.execPath, [BIN, "init"], { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
    if (init.status !== 0) throw new Error(`init exited ${init.status}: ${init.stderr}`);
    const out = openSync(join(cwd, ".out.json"), "w");
    const args = ["--require", PRELOAD, BIN, "migrate", "local", ...sourceArgs, "--json"];
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd, env, stdio: ["ignore", out, "pipe"] });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    closeSync(out);
    if (r.status !== 0) throw new Error(`migrate ${sourceArgs.join(" ")} exited ${r.status}: ${r.stderr}`);
    const summary = JSON.parse(readFileSync(join(cwd, ".out.json"), "utf8")).summary;
    return { ms, counted: summary.create, peakMiB: Number(readFileSync(join(cwd, ".rss"), "utf8")) / 1024 };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}
