import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { snapshot } from "../helpers/provider-snapshot.js";
import { parseJson, runSecrets } from "../helpers/run-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

const local = { provider: "local" as const, env: {}, args: [], options: {} };

async function project(lines = "API_KEY=sk-live-0123456789abcdef0123\nOTHER=another-long-value-0123456789\n") {
  const cwd = await tmpdir();
  await writeFile(join(cwd, ".env"), lines);
  expect((await runSecrets(["init"], { cwd })).code).toBe(0);
  return cwd;
}

describe("consent", () => {
  it("a person who answers no at the prompt gets nothing written", async () => {
    const cwd = await project();
    const r = await runSecrets(["migrate", "local"], { cwd, interactive: true, answer: false });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("nothing was written");
    expect(await snapshot(local, cwd, "")).toEqual({});
  });

  it("a person who answers yes gets the run applied", async () => {
    const cwd = await project();
    expect((await runSecrets(["migrate", "local"], { cwd, interactive: true, answer: true })).code).toBe(0);
    expect(Object.keys(await snapshot(local, cwd, ""))).toEqual(["API_KEY", "OTHER"]);
  });

  it("without a terminal and without --yes a live run exits 2 before reading anything", async () => {
    const cwd = await project();
    const r = await runSecrets(["migrate", "local", "--json"], { cwd });
    expect(r.code).toBe(2);
    expect(parseJson(r)).toMatchObject({ error: { code: "CONFIRMATION_REQUIRED" } });
  });

  it("a live run without a key exits 2; a dry run without one works", async () => {
    const cwd = await tmpdir();
    await writeFile(join(cwd, ".env"), "A=some-long-value-0123456789abc\n");
    expect((await runSecrets(["migrate", "local", "--dry-run"], { cwd })).code).toBe(0);
    const live = await runSecrets(["migrate", "local", "--yes"], { cwd });
    expect(live.code).toBe(2);
    expect(live.stderr).toContain("NO_KEY");
    const short = await runSecrets(["migrate", "local", "--yes"], { cwd, env: { SECRETS_ENCRYPTION_KEY: "too-short" } });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain("KEY_TOO_SHORT");
  });
});

describe("state lock", () => {
  it("two concurrent live migrates never interleave: each waits its turn and the result is consistent", async () => {
    const lines = Array.from({ length: 300 }, (_, i) => `K${i}=value-${i}-abcdefghijklmnopqrstuvwxyz`).join("\n");
    const cwd = await project(`${lines}\n`);
    const [a, b] = await Promise.all([
      runSecrets(["migrate", "local", "--yes", "--json"], { cwd }),
      runSecrets(["migrate", "local", "--yes", "--json"], { cwd }),
    ]);
    const summaries = [parseJson(a).summary, parseJson(b).summary] as Record<string, number>[];
    expect(summaries.map((s) => s.create).sort()).toEqual([0, 300]);
    expect(summaries.map((s) => s.unchanged).sort()).toEqual([0, 300]);
    expect(Object.keys(await snapshot(local, cwd, ""))).toHaveLength(300);
    expect((await runSecrets(["journal", "verify"], { cwd })).code).toBe(0);
  });

  it("a lock left by a killed process is recovered", async () => {
    const cwd = await project();
    const dead = spawn(process.execPath, ["-e", "0"]);
    const pid = await new Promise<number>((resolve) => dead.on("exit", () => resolve(dead.pid as number)));
    const { hostname } = await import("node:os");
    await writeFile(join(cwd, ".secrets", "lock"), JSON.stringify({ pid, hostname: hostname(), startedAt: new Date().toISOString() }));
    const r = await runSecrets(["migrate", "local", "--yes"], { cwd });
    expect(r.code, r.stderr).toBe(0);
  });
});
