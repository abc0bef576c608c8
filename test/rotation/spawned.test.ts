import { cp, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { readJournal, runsOf } from "../../src/core/journal.js";
import { readLocalLabels } from "../helpers/rotation.js";
import { spawnSecrets } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

// Spawns the built CLI (`npm run build` first; `npm test` does it).
const ORIGINAL = "original-value-0123456789abcdefghij";

async function project(): Promise<string> {
  const cwd = await tmpdir();
  await writeFile(join(cwd, ".env"), `S=${ORIGINAL}\n`);
  expect((await spawnSecrets(["init"], cwd)).code).toBe(0);
  expect((await spawnSecrets(["migrate", "local", "--yes"], cwd)).code).toBe(0);
  return cwd;
}

async function copyOf(dir: string): Promise<string> {
  const copy = await tmpdir();
  await cp(dir, copy, { recursive: true });
  return copy;
}

async function expectExactlyOneRotation(cwd: string, label: string): Promise<void> {
  const labels = await readLocalLabels(cwd, "S");
  expect(labels, label).toMatchObject({ current: { version: "2" }, previous: { version: "1", value: ORIGINAL } });
  expect(labels?.pending, label).toBeUndefined();
  expect((await spawnSecrets(["journal", "verify"], cwd)).code, label).toBe(0);
}

it("SIGKILL during the test step: the same command again resumes and promotes the same pending version", async () => {
  const cwd = await project();
  const args = ["rotate", "S", "--yes", "--test-command", 'if [ ! -e killed.marker ]; then touch killed.marker; kill -9 "$PPID"; sleep 5; fi'];
  const killed = await spawnSecrets(args, cwd);
  expect(killed.signal).toBe("SIGKILL");
  const pending = (await readLocalLabels(cwd, "S"))?.pending;
  expect(pending?.version).toBe("2");
  const again = await spawnSecrets(args, cwd);
  expect(again.code, again.stderr).toBe(0);
  expect(again.stderr).toContain("resuming run");
  await expectExactlyOneRotation(cwd, "after resume");
  expect((await readLocalLabels(cwd, "S"))?.current.value).toBe(pending?.value);
  expect(runsOf(await readJournal(join(cwd, ".secrets"))).filter((r) => r.command === "rotate")).toHaveLength(1);
}, 60_000);

it("SIGKILL at random moments: re-running finishes or restarts it, and exactly one rotation happens", async () => {
  const base = await project();
  const args = ["rotate", "S", "--yes", "--test-command", "sleep 0.2"];
  const started = Date.now();
  expect((await spawnSecrets(args, await copyOf(base))).code).toBe(0);
  const fullRun = Date.now() - started;
  const outcomes = new Set<string>();
  for (let round = 0; round < 8; round++) {
    const cwd = await copyOf(base);
    const delay = Math.floor((fullRun * round) / 8 + Math.random() * (fullRun / 8));
    const run = await spawnSecrets(args, cwd, {}, (child) => setTimeout(() => child.kill("SIGKILL"), delay));
    outcomes.add(run.signal === "SIGKILL" ? "killed" : "finished");
    const rotate = runsOf(await readJournal(join(cwd, ".secrets"))).find((r) => r.command === "rotate");
    if (rotate?.status !== "ok") {
      const again = await spawnSecrets(args, cwd);
      expect(again.code, `round ${round} (killed at ${delay} ms): ${again.stderr}`).toBe(0);
    }
    await expectExactlyOneRotation(cwd, `round ${round} (killed at ${delay} ms)`);
  }
  expect(outcomes.has("killed")).toBe(true);
}, 180_000);

it("two rotations of the same secret at once do not interleave: the second waits for the first", async () => {
  const cwd = await project();
  const args = ["rotate", "S", "--yes", "--test-command", "sleep 1"];
  const [a, b] = await Promise.all([spawnSecrets(args, cwd), spawnSecrets(args, cwd)]);
  expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
  const labels = await readLocalLabels(cwd, "S");
  expect(labels).toMatchObject({ current: { version: "3" }, previous: { version: "2" } });
  const rotates = runsOf(await readJournal(join(cwd, ".secrets"))).filter((r) => r.command === "rotate");
  expect(rotates.map((r) => [r.status, r.counts])).toEqual([
    ["ok", { intent: 4, done: 4, failed: 0, pending: 0 }],
    ["ok", { intent: 4, done: 4, failed: 0, pending: 0 }],
  ]);
  // strictly one after the other
  expect(rotates[1]?.startedAt && rotates[0]?.endedAt && rotates[1].startedAt >= rotates[0].endedAt).toBe(true);
}, 60_000);
