import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fmt, peakOf, timedRun } from "./util.mjs";

/**
 * Goal (issue 17): peak RSS ≤ 256 MiB for a live migrate, a re-run with nothing to change, validate and
 * rollback of a `.env` of 1,000,000 lines (BENCH_ENV_LARGE_LINES) into `local`. A file this large is read
 * in pieces (src/sources/dotenv-stream.ts). Minutes long: one round.
 */
export async function run() {
  const lines = Number(process.env.BENCH_ENV_LARGE_LINES ?? 1_000_000);
  const cwd = mkdtempSync(join(tmpdir(), "secretshift-bench-env-large-"));
  try {
    const text = Array.from({ length: lines }, (_, k) => `SECRET_${k}=value-${k}-${"x".repeat(32)}`).join("\n");
    writeFileSync(join(cwd, ".env"), `${text}\n`);
    const fileMiB = statSync(join(cwd, ".env")).size / 2 ** 20;
    timedRun(["init"], cwd);
    const first = timedRun(["migrate", "local", "--yes", "--quiet"], cwd);
    const again = timedRun(["migrate", "local", "--yes", "--quiet"], cwd);
    const validate = timedRun(["validate", "local", "--quiet"], cwd);
    const rollback = timedRun(["rollback", "local", "--last", "--yes", "--quiet"], cwd);
    console.log(
      `migrate local, a .env of ${lines} lines (${fileMiB.toFixed(0)} MiB)  ${fmt(first.ms)}  ${((lines / first.ms) * 1000).toFixed(0)}/s  ${peakOf(first)}`,
    );
    console.log(`  re-run, nothing to change      ${fmt(again.ms)}  ${((100 * again.ms) / first.ms).toFixed(0)} % of the first run  ${peakOf(again)}`);
    console.log(`  validate local                 ${fmt(validate.ms)}  ${peakOf(validate)}`);
    console.log(`  rollback --last                ${fmt(rollback.ms)}  ${peakOf(rollback)}`);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}
