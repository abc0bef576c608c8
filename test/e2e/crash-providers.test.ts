import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { crashSeed, entries, expectKilledAfterFirstIntent, killSwitch, random, spawnSecrets, valuesOnly, writeEnv } from "../helpers/crash.js";
import { CRASH_TARGETS, type CrashTarget } from "../helpers/crash-targets.js";
import { runSecrets } from "../helpers/run-cli.js";
import { settleAfter } from "../helpers/server-events.js";
import { tmpdir } from "../helpers/tmpdir.js";

// Spawns the built CLI (`npm run build` first; `npm test` does it) against each provider's test
// server and SIGKILLs it at a random moment: on the n-th data write the server receives (the
// write lands, its answer never arrives) or right after the n-th intent is journalled. The
// state before and after is read from the server's own model.
const SEED = crashSeed("crash-providers");
/** Trials per provider; the even ones roll back then re-run, the odd ones re-run straight away. */
const TRIALS = 2;

describe.each(Object.keys(CRASH_TARGETS))("kill -9 during a live migrate of %s", (key) => {
  let target: CrashTarget;
  beforeAll(async () => {
    target = await (CRASH_TARGETS[key] as () => Promise<CrashTarget>)();
  });
  afterAll(async () => target?.stop());

  it.each(Array.from({ length: TRIALS }, (_, i) => i))("trial %i: rollback --last and a re-run are exact", async (trial) => {
    const draw = random(SEED + trial + [...key].reduce((h, c) => h * 31 + c.charCodeAt(0), 0));
    const updates = target.updates ?? 40;
    const creates = updates / 2;
    const cwd = await tmpdir();
    const prefix = `c${trial}-`;
    const cli = (...args: string[]) => runSecrets([...args, "--prefix", prefix, ...target.args], { cwd, env: target.env });
    expect((await runSecrets(["init"], { cwd })).code).toBe(0);
    await writeEnv(cwd, entries(updates, `old${trial}`));
    expect((await cli("migrate", target.provider, "--yes")).code).toBe(0);
    const pre = target.state(prefix);
    expect(Object.keys(pre)).toHaveLength(updates);
    const wanted = [...entries(updates, `new${trial}`), ...entries(creates, `new${trial}`, updates)];
    await writeEnv(cwd, wanted);
    const intended = Object.fromEntries(wanted.map((e) => [`${prefix}${e.key}`, e.value]));

    const n = 1 + Math.floor(draw() * (target.batched ? 1 : updates));
    const moment = draw() < 0.5 ? `server write ${n}` : `intent:${n}`;
    console.log(`${target.label} trial ${trial}: seed ${SEED}, kill at ${moment}`);
    const args = ["migrate", target.provider, "--yes", "--on-conflict", "overwrite", "--prefix", prefix, ...target.args];
    const onServer = moment.startsWith("server");
    const settle = settleAfter();
    const killed = await spawnSecrets(args, cwd, { ...target.env, ...(onServer ? {} : killSwitch(moment)) }, (child) => {
      if (onServer) target.onWrite(n, () => child.kill("SIGKILL"));
    });
    await settle();
    await expectKilledAfterFirstIntent(killed, cwd, moment);

    if (trial % 2 === 0) {
      const back = await runSecrets(["rollback", target.provider, "--last", "--yes", ...target.args], { cwd, env: target.env });
      expect(back.code, `${moment}: ${back.stderr}`).toBe(0);
      expect(target.state(prefix), `${moment}: after rollback`).toEqual(pre);
    }
    const rerun = await cli("migrate", target.provider, "--yes", "--on-conflict", "overwrite");
    expect(rerun.code, `${moment}: ${rerun.stderr}`).toBe(0);
    expect(valuesOnly(target.state(prefix)), `${moment}: after the re-run`).toEqual(intended);
  });
});
