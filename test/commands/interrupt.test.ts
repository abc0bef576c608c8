import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startAwsHarness } from "../helpers/aws-harness.js";
import { snapshot, type Target } from "../helpers/provider-snapshot.js";
import { runSecrets } from "../helpers/run-cli.js";
import { spawnSecrets } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

let harness: Awaited<ReturnType<typeof startAwsHarness>>;
beforeAll(async () => {
  harness = await startAwsHarness({ latencyMs: 40 });
});
afterAll(async () => harness?.stop());

it("Ctrl-C during a live migrate: in-flight writes finish and are journalled, nothing new starts, exit 130, rollback restores", async () => {
  const target: Target = { provider: "aws", env: harness.env, args: [], options: harness.options, server: harness.server };
  const cwd = await tmpdir();
  const prefix = `int${process.pid}/`;
  await writeFile(join(cwd, ".env"), `${Array.from({ length: 200 }, (_, i) => `K${i}=value-${i}-abcdefghijklmnopqrstuvwxyz`).join("\n")}\n`);
  expect((await runSecrets(["init"], { cwd })).code).toBe(0);
  const before = await snapshot(target, cwd, prefix);

  // Ctrl-C once writes are flowing (whatever the machine's speed), not after a fixed delay.
  const creates = () => harness.server.counts.CreateSecret ?? 0;
  const run = await spawnSecrets(["migrate", "aws", "--yes", "--prefix", prefix, "--concurrency", "2"], cwd, harness.env, (child) => {
    const poll = setInterval(() => {
      if (creates() >= 10) {
        clearInterval(poll);
        child.kill("SIGINT");
      }
    }, 10);
    child.on("exit", () => clearInterval(poll));
  });
  expect(run.code).toBe(130);
  expect(run.stderr).toContain("interrupted: finishing the writes in flight");
  expect(run.stderr).toContain("secrets rollback aws --run");
  const written = Object.keys(await snapshot(target, cwd, prefix)).length;
  expect(written).toBeGreaterThan(0);
  expect(written).toBeLessThan(200);

  expect((await spawnSecrets(["journal", "verify"], cwd)).code).toBe(0);
  const journal = await spawnSecrets(["journal", "list", "--json"], cwd);
  const runs = JSON.parse(journal.stdout).runs as { status?: string; counts: { pending: number; done: number } }[];
  expect(runs.at(-1)).toMatchObject({ status: "interrupted", counts: { pending: 0, done: written } });

  const back = await runSecrets(["rollback", "aws", "--last", "--yes"], { cwd, env: harness.env });
  expect(back.code, back.stderr).toBe(0);
  expect(await snapshot(target, cwd, prefix)).toEqual(before);
}, 60_000);
