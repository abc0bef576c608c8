import { cp, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { readJournal, runsOf } from "../../src/core/journal.js";
import { formatDotenv } from "../../src/sources/dotenv.js";
import { snapshot, type Target } from "../helpers/provider-snapshot.js";
import { spawnSecrets } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

const local: Target = { provider: "local", env: {}, args: [], options: {} };
const values = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => ({ key: `SECRET_${String(i).padStart(4, "0")}`, value: `${tag}-${i}-${"x".repeat(20)}` }));

it("a live migrate of 500 secrets killed with SIGKILL at 20 moments is rolled back or finished exactly", async () => {
  const base = await tmpdir();
  await writeFile(join(base, ".env"), formatDotenv(values(250, "old")));
  expect((await spawnSecrets(["init"], base)).code).toBe(0);
  expect((await spawnSecrets(["migrate", "local", "--yes"], base)).code).toBe(0);
  const target = [...values(250, "new"), ...values(500, "new").slice(250)];
  await writeFile(join(base, ".env"), formatDotenv(target));
  const pre = await snapshot(local, base, "");
  const post = Object.fromEntries(target.map((e) => [e.key, e.value]));

  const start = Date.now();
  expect((await spawnSecrets(["migrate", "local", "--yes", "--on-conflict", "overwrite"], await copyOf(base))).code).toBe(0);
  const fullRun = Date.now() - start;

  const outcomes = new Set<string>();
  for (let round = 0; round < 20; round++) {
    const crashed = await copyOf(base);
    const delay = Math.floor((fullRun * round) / 20 + Math.random() * (fullRun / 20));
    const run = await spawnSecrets(["migrate", "local", "--yes", "--on-conflict", "overwrite"], crashed, {}, (child) => {
      setTimeout(() => child.kill("SIGKILL"), delay);
    });
    outcomes.add(run.signal === "SIGKILL" ? "killed" : "finished");
    expect((await spawnSecrets(["journal", "verify"], crashed)).code, `round ${round}`).toBe(0);

    const rolledBack = await copyOf(crashed);
    const runs = runsOf(await readJournal(join(rolledBack, ".secrets")));
    if (runs.length > 1) {
      const back = await spawnSecrets(["rollback", "local", "--last", "--yes"], rolledBack);
      expect(back.code, `round ${round}: ${back.stderr}`).toBe(0);
    }
    expect(await snapshot(local, rolledBack, ""), `round ${round} rollback`).toEqual(pre);
    expect((await spawnSecrets(["journal", "verify"], rolledBack)).code).toBe(0);

    const rerun = await spawnSecrets(["migrate", "local", "--yes", "--on-conflict", "overwrite"], crashed);
    expect(rerun.code, `round ${round}: ${rerun.stderr}`).toBe(0);
    const after = await snapshot(local, crashed, "");
    expect(Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v.value])), `round ${round} re-run`).toEqual(post);
  }
  expect(outcomes.has("killed")).toBe(true);
}, 300_000);

async function copyOf(dir: string): Promise<string> {
  const copy = await tmpdir();
  await cp(dir, copy, { recursive: true });
  return copy;
}
