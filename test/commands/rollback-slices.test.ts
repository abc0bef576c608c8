import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { snapshot } from "../helpers/provider-snapshot.js";
import { parseJson, runSecrets } from "../helpers/run-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

const local = { provider: "local" as const, env: {}, args: [], options: {} };
const N = 2_345;
const name = (i: number) => `K${String(i).padStart(4, "0")}`;
const dotenv = (from: number, to: number, value: (i: number) => string) =>
  Array.from({ length: to - from }, (_, k) => `${name(from + k)}=${value(from + k)}\n`).join("");

/** 600 names already stored, then a run that updates those and creates 1,745 more: three slices of a rollback. */
async function migratedRun() {
  const cwd = await tmpdir();
  await runSecrets(["init"], { cwd });
  await writeFile(
    join(cwd, ".env"),
    dotenv(0, 600, (i) => `old-${i}-0123456789abcdef`),
  );
  expect((await runSecrets(["migrate", "local", "--yes"], { cwd })).code).toBe(0);
  const before = await snapshot(local, cwd, "");
  await writeFile(
    join(cwd, ".env"),
    dotenv(0, N, (i) => `new-${i}-0123456789abcdef`),
  );
  const run = await runSecrets(["migrate", "local", "--yes", "--json", "--on-conflict", "overwrite"], { cwd });
  expect(run.code, run.stderr).toBe(0);
  return { cwd, before, runId: parseJson(run).runId as string };
}

describe("rollback of a run larger than one slice", () => {
  it("undoes every write exactly, reports each name once, and leaves alone what changed since", async () => {
    const { cwd, before, runId } = await migratedRun();
    // Changed by someone after the run, in the last slice.
    await writeFile(join(cwd, "later.env"), "K2300=changed-after-the-run-0123456789\n");
    expect((await runSecrets(["migrate", "local", "--from", "later.env", "--yes", "--on-conflict", "overwrite"], { cwd })).code).toBe(0);

    const dry = parseJson(await runSecrets(["rollback", "local", "--run", runId, "--dry-run", "--json"], { cwd }));
    expect(dry.summary).toMatchObject({ delete: N - 600, restore: 600, failed: 0 });
    expect((dry.items as unknown[]).length).toBe(N);

    const r = await runSecrets(["rollback", "local", "--run", runId, "--yes", "--json"], { cwd });
    expect(r.code, r.stderr).toBe(1);
    const out = parseJson(r);
    expect(out.summary).toMatchObject({ delete: N - 601, restore: 600, "changed-since": 1, failed: 0 });
    const items = out.items as { name: string; action: string }[];
    expect(new Set(items.map((i) => i.name)).size).toBe(N);
    expect(items.find((i) => i.name === "K2300")?.action).toBe("changed-since");
    const after = await snapshot(local, cwd, "");
    expect(after.K2300?.value).toBe("changed-after-the-run-0123456789");
    delete after.K2300;
    expect(after).toEqual(before);
  });

  it("after Ctrl-C in its second slice, running it again finishes: the store is exactly as before the run", async () => {
    const { cwd, before, runId } = await migratedRun();
    const stopped = await runSecrets(["rollback", "local", "--run", runId, "--yes", "--json"], { cwd, interruptAt: { method: "readMany", call: 5 } });
    expect(stopped.code, stopped.stderr).toBe(130);
    const items = parseJson(stopped).items as { action: string; error?: string }[];
    expect(items.length).toBe(N);
    expect(items.filter((i) => i.error === "not started (interrupted)").length).toBeGreaterThanOrEqual(N - 2_000);
    expect(await snapshot(local, cwd, "")).not.toEqual(before);

    const again = await runSecrets(["rollback", "local", "--run", runId, "--yes"], { cwd });
    expect(again.code, again.stderr).toBe(0);
    expect(await snapshot(local, cwd, "")).toEqual(before);
  });
});
