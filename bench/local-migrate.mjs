import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BIN, fmt } from "./util.mjs";

const PEAK_RSS = fileURLToPath(new URL("./peak-rss.cjs", import.meta.url));

/** Wall time and peak RSS of one `secrets` run. */
function timed(args, cwd) {
  const rssFile = join(cwd, ".peak-rss");
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["--require", PEAK_RSS, BIN, ...args], {
    cwd,
    env: { ...process.env, CI: "true", BENCH_PEAK_RSS_FILE: rssFile },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return { ms, rssMiB: Number(readFileSync(rssFile, "utf8")) / 1024 };
}

function size(n) {
  const dir = mkdtempSync(join(tmpdir(), "secretshift-bench-"));
  try {
    const lines = Array.from({ length: n }, (_, k) => `SECRET_${k}=value-${k}-${"x".repeat(32)}`);
    writeFileSync(join(dir, ".env"), `${lines.join("\n")}\n`);
    timed(["init"], dir);
    const first = timed(["migrate", "local", "--yes", "--quiet"], dir);
    const storeMiB = statSync(join(dir, ".secrets", "store.enc")).size / 2 ** 20;
    const again = timed(["migrate", "local", "--yes", "--quiet"], dir);
    return { n, first, again, storeMiB };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Goals (issue 17): time grows linearly (10× the secrets ≤ ~10× the time), peak RSS stays bounded,
 * and a re-run with nothing to change costs ≤ 25 % of the first run at 100k.
 */
export async function run() {
  let before;
  for (const n of [1_000, 10_000, 100_000]) {
    const r = size(n);
    const growth = before ? `  ${(r.first.ms / before.first.ms).toFixed(1)}× the time of ${before.n} (goal ≤ ~10×)` : "";
    console.log(
      `migrate local, ${String(n).padStart(7)} secrets  ${fmt(r.first.ms)}  ${((n / r.first.ms) * 1000).toFixed(0)}/s  peak ${r.first.rssMiB.toFixed(0)} MiB  store ${r.storeMiB.toFixed(1)} MiB${growth}`,
    );
    console.log(
      `  re-run, nothing to change        ${fmt(r.again.ms)}  ${((100 * r.again.ms) / r.first.ms).toFixed(0)} % of the first run${n === 100_000 ? " (goal ≤ 25 %)" : ""}  peak ${r.again.rssMiB.toFixed(0)} MiB`,
    );
    before = r;
  }
}
