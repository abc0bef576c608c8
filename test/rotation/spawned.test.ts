import type { ChildProcess } from "node:child_process";
import { readFileSync, watch } from "node:fs";
import { cp, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { readJournal, runsOf } from "../../src/core/journal.js";
import { readLocalLabels } from "../helpers/rotation.js";
import { spawnSecrets } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

// Spawns the built CLI (`npm run build` first; `npm test` does it).
const ORIGINAL = "original-value-0123456789abcdefghij";
const NEXT = "rotated-value-9876543210zyxwvutsrq";

/** SIGKILL `child` as soon as its journal holds `n` more intents than when it started: an event, not a timer. */
function killOnIntent(stateDir: string, n: number, child: ChildProcess): void {
  const journal = join(stateDir, "journal.jsonl");
  const intents = () => (readFileSync(journal, "utf8").match(/"type":"intent"/g) ?? []).length;
  const baseline = intents();
  const watcher = watch(stateDir, () => {
    if (intents() - baseline >= n) {
      child.kill("SIGKILL");
      watcher.close();
    }
  });
  child.on("exit", () => watcher.close());
}

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

it("SIGKILL after the Nth journal intent (N = 1…4): the store never shows a pending value as current, and a re-run or --abort settles it exactly", async () => {
  const base = await project();
  await writeFile(join(base, "gen.txt"), NEXT);
  const args = ["rotate", "S", "--yes", "--generator", "command:cat gen.txt", "--test-command", "true"];
  const seed = Number(process.env.ROTATE_KILL_SEED ?? Date.now() % 1_000_000);
  console.log(`local rotate-kill: ROTATE_KILL_SEED=${seed}`);
  const outcomes = new Set<string>();
  for (let n = 1; n <= 4; n++) {
    for (const abort of [false, true]) {
      const cwd = await copyOf(base);
      const moment = `killed after intent ${n}, then ${abort ? "--abort" : "the same command"} (seed ${seed})`;
      const run = await spawnSecrets(args, cwd, {}, (child) => killOnIntent(join(cwd, ".secrets"), n, child));
      outcomes.add(run.signal === "SIGKILL" ? "killed" : "finished");
      console.log(`local rotate-kill ${moment}: ${run.signal === "SIGKILL" ? "killed" : "finished first"}`);
      const entries = await readJournal(join(cwd, ".secrets"));
      const rotate = runsOf(entries).find((r) => r.command === "rotate");
      expect(rotate?.counts.intent, `${moment}: the kill landed after the first intent`).toBeGreaterThanOrEqual(n);
      // The store's current label is what every read of the local store returns.
      const promoting = entries.some((e) => e.runId === rotate?.runId && e.type === "intent" && e.action === "promote");
      const seen = (await readLocalLabels(cwd, "S"))?.current.value;
      expect(promoting ? [ORIGINAL, NEXT] : [ORIGINAL], moment).toContain(seen);
      if (rotate?.status === "ok") {
        expect(seen, moment).toBe(NEXT);
        continue;
      }
      let again = await spawnSecrets(abort ? [...args, "--abort"] : args, cwd);
      let finished = !abort;
      if (abort && again.code !== 0) {
        // Once its promotion landed, the run cannot be abandoned, only finished: the same command without --abort.
        expect(again.stderr, moment).toContain("ALREADY_PROMOTED");
        again = await spawnSecrets(args, cwd);
        finished = true;
      }
      const labels = await readLocalLabels(cwd, "S");
      expect(labels?.pending, moment).toBeUndefined();
      if (!finished) {
        expect(again.code, `${moment}: ${again.stderr}`).toBe(0);
        expect(labels?.current.value, moment).toBe(seen);
      } else {
        expect(again.code, `${moment}: ${again.stderr}`).toBe(0);
        await expectExactlyOneRotation(cwd, moment);
        expect(labels?.current.value, moment).toBe(NEXT);
      }
      expect((await spawnSecrets(["journal", "verify"], cwd)).code, moment).toBe(0);
    }
  }
  expect(outcomes.has("killed")).toBe(true);
}, 180_000);

it("Ctrl-C (SIGINT, sent from inside the test step) undoes the rotation and exits 130; the store never showed the pending value", async () => {
  const cwd = await project();
  const r = await spawnSecrets(["rotate", "S", "--yes", "--test-command", 'kill -INT "$PPID"'], cwd);
  expect(r.code, r.stderr).toBe(130);
  expect(r.stderr).toContain("interrupted");
  const labels = await readLocalLabels(cwd, "S");
  expect(labels).toMatchObject({ current: { version: "1", value: ORIGINAL } });
  expect(labels?.pending).toBeUndefined();
  const rotate = runsOf(await readJournal(join(cwd, ".secrets"))).find((x) => x.command === "rotate");
  expect(rotate?.status).toBe("interrupted");
}, 60_000);

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
