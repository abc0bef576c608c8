import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPostgres } from "./postgres.mjs";
import { fmt, peakOf, timedRun } from "./util.mjs";

/**
 * Goal (issue 17): peak RSS ≤ 256 MiB for a live migrate, a re-run with nothing to change, validate and
 * rollback of 1,000,000 cells (500,000 rows × 2 columns, BENCH_DB_LARGE_ROWS) from PostgreSQL into
 * `local`. Minutes long: one round.
 */
export async function run() {
  const rows = Number(process.env.BENCH_DB_LARGE_ROWS ?? 500_000);
  const server = await startPostgres();
  const cwd = mkdtempSync(join(tmpdir(), "secretshift-bench-large-"));
  try {
    await server.query(
      `CREATE TABLE big AS SELECT g AS id, 'sk-' || md5(g::text) AS api_key, 'rt-' || md5((g * 31)::text) AS refresh_token FROM generate_series(1, ${rows}) g;
       ALTER TABLE big ADD PRIMARY KEY (id)`,
    );
    const source = ["--db", server.url, "--table", "big", "--columns", "api_key,refresh_token", "--quiet"];
    timedRun(["init"], cwd);
    const first = timedRun(["migrate", "local", ...source, "--yes"], cwd);
    const storeMiB = statSync(join(cwd, ".secrets", "store.enc")).size / 2 ** 20;
    const again = timedRun(["migrate", "local", ...source, "--yes"], cwd);
    const validate = timedRun(["validate", "local", ...source], cwd);
    const rollback = timedRun(["rollback", "local", "--last", "--yes", "--quiet"], cwd);
    const cells = rows * 2;
    console.log(
      `migrate local, ${cells} cells from PostgreSQL  ${fmt(first.ms)}  ${((cells / first.ms) * 1000).toFixed(0)}/s  ${peakOf(first)}  store ${storeMiB.toFixed(0)} MiB`,
    );
    console.log(`  re-run, nothing to change      ${fmt(again.ms)}  ${((100 * again.ms) / first.ms).toFixed(0)} % of the first run  ${peakOf(again)}`);
    console.log(`  validate local                 ${fmt(validate.ms)}  ${peakOf(validate)}`);
    console.log(`  rollback --last                ${fmt(rollback.ms)}  ${peakOf(rollback)}`);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
    await server.stop();
  }
}
