import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fmt, peakOf as peak, timedRun as timed } from "./util.mjs";

/** Values of a realistic size (~45 characters). */
const envLine = (k) => `SECRET_${k}=value-${k}-${"x".repeat(32)}`;

function size(n) {
  const dir = mkdtempSync(join(tmpdir(), "secretshift-bench-"));
  try {
    writeFileSync(join(dir, ".env"), `${Array.from({ length: n }, (_, k) => envLine(k)).join("\n")}\n`);
    timed(["init"], dir);
    const first = timed(["migrate", "local", "--yes", "--quiet"], dir);
    const storeMiB = statSync(join(dir, ".secrets", "store.enc")).size / 2 ** 20;
    // Three re-runs, the median kept: each is ~2 s, where this machine's load moves one run by ±10 %.
    const agains = [0, 1, 2].map(() => timed(["migrate", "local", "--yes", "--quiet"], dir)).sort((a, b) => a.ms - b.ms);
    const again = { ms: agains[1].ms, rssMiB: Math.max(...agains.map((r) => r.rssMiB)) };
    const validate = timed(["validate", "local", "--quiet"], dir);
    const rollback = timed(["rollback", "local", "--last", "--yes", "--quiet"], dir);
    return { n, first, again, validate, rollback, storeMiB };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Goals (issue 17): time grows linearly (10× the secrets ≤ ~10× the time), peak RSS ≤ 256 MiB for
 * migrate, re-run, validate and rollback, and a re-run with nothing to change ≤ 25 % of the first run
 * at 100k. Sizes from BENCH_LOCAL_SIZES (default 1000,10000,100000).
 */
export async function run() {
  let before;
  for (const n of (process.env.BENCH_LOCAL_SIZES ?? "1000,10000,100000").split(",").map(Number)) {
    const r = size(n);
    const growth = before
      ? `  ${(r.first.ms / before.first.ms).toFixed(1)}× the time of ${before.n} for ${n / before.n}× the secrets (goal ≤ ~${n / before.n}×)`
      : "";
    console.log(
      `migrate local, ${String(n).padStart(7)} secrets  ${fmt(r.first.ms)}  ${((n / r.first.ms) * 1000).toFixed(0)}/s  ${peak(r.first)}  store ${r.storeMiB.toFixed(1)} MiB${growth}`,
    );
    const share = (100 * r.again.ms) / r.first.ms;
    // The goal is set at 100k: below that, a start-up of a fixed ~0.1 s weighs on both runs.
    const goal = n >= 100_000 ? ` (goal ≤ 25 %${share > 25 ? ": not met" : ""})` : "";
    console.log(
      `  re-run, nothing to change        ${fmt(r.again.ms)}  ${share.toFixed(1)} % of the first run${goal}  ${peak(r.again)}  (median of 3; peak: the highest)`,
    );
    console.log(`  validate local                   ${fmt(r.validate.ms)}  ${peak(r.validate)}`);
    console.log(`  rollback --last                  ${fmt(r.rollback.ms)}  ${peak(r.rollback)}`);
    before = r;
  }
}
