import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startPostgres } from "./postgres.mjs";
import { BIN } from "./util.mjs";

const PRELOAD = fileURLToPath(new URL("./peak-rss.cjs", import.meta.url));

/**
 * Goal (issue 5): a dry run of 100,000 rows × 2 columns from PostgreSQL into the local store stays
 * under 200 MB peak RSS, and memory stays flat as rows grow (10,000 rows is the comparison point).
 */
export async function run() {
  const server = await startPostgres();
  const dir = mkdtempSync(join(tmpdir(), "secretshift-bench-db-"));
  try {
    for (const rows of [10_000, 100_000]) {
      const table = `bench_${rows}`;
      await server.query(
        `CREATE TABLE ${table} AS SELECT g AS id, 'sk-' || md5(g::text) AS api_key, 'rt-' || md5((g * 31)::text) AS refresh_token FROM generate_series(1, ${rows}) g;
         ALTER TABLE ${table} ADD PRIMARY KEY (id)`,
      );
      const { ms, peakMb, planned } = migrateDryRun(dir, server.url, table);
      const cells = rows * 2;
      if (planned !== cells) throw new Error(`expected ${cells} creates, the plan has ${planned}`);
      console.log(
        `dry-run ${String(rows).padStart(7)} rows × 2 columns   ${(ms / 1000).toFixed(2)} s   ${Math.round((cells / ms) * 1000)} cells/s   peak RSS ${peakMb.toFixed(0)} MB${peakMb > 200 ? "  (over the 200 MB goal)" : ""}`,
      );
      if (rows === 100_000) {
        // What the run keeps alive, as opposed to what V8 lets its heap grow to: the same run with the
        // old generation capped at 40 MB must still finish (it dies of OOM if memory grew with rows).
        const capped = migrateDryRun(dir, server.url, table, "--max-old-space-size=40");
        console.log(
          `dry-run ${String(rows).padStart(7)} rows, heap capped at 40 MB: finished, peak RSS ${capped.peakMb.toFixed(0)} MB (retained memory is bounded)`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await server.stop();
  }
}

function migrateDryRun(dir, url, table, nodeOptions = "") {
  const rssFile = join(dir, "rss");
  const outFile = join(dir, "out.json");
  const out = openSync(outFile, "w");
  const args = ["--require", PRELOAD, BIN, "migrate", "local", "--db", url, "--table", table, "--columns", "api_key,refresh_token", "--dry-run", "--json"];
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, {
    cwd: dir,
    env: { ...process.env, CI: "true", BENCH_PEAK_RSS_FILE: rssFile, NODE_OPTIONS: nodeOptions },
    stdio: ["ignore", out, "pipe"],
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  closeSync(out);
  if (r.status !== 0) throw new Error(`migrate exited ${r.status}: ${r.stderr}`);
  const planned = JSON.parse(readFileSync(outFile, "utf8")).summary.create;
  return { ms, peakMb: Number(readFileSync(rssFile, "utf8")) / 1024, planned };
}
