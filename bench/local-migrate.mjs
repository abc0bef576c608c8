import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, fmt, timeSpawn } from "./util.mjs";

/** Goal: a live migrate of 10,000 secrets costs one store write, not 10,000. */
export async function run() {
  const n = 10_000;
  const baseline = timeSpawn(["-e", "0"], { runs: 5 });
  const times = [];
  for (let i = 0; i < 3; i++) {
    const dir = mkdtempSync(join(tmpdir(), "secretshift-bench-"));
    try {
      const lines = Array.from({ length: n }, (_, k) => `SECRET_${k}=value-${k}-${"x".repeat(32)}`);
      writeFileSync(join(dir, ".env"), `${lines.join("\n")}\n`);
      timeSpawn([BIN, "init"], { runs: 1, cwd: dir });
      times.push(timeSpawn([BIN, "migrate", "local", "--yes", "--quiet"], { runs: 1, cwd: dir }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  times.sort((a, b) => a - b);
  const median = times[1];
  console.log(`node -e 0                         ${fmt(baseline)}`);
  console.log(
    `migrate local, ${n} secrets     ${fmt(median)}  ratio ${(median / baseline).toFixed(1)}× node start, ${((n / median) * 1000).toFixed(0)} secrets/s`,
  );
}
