import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import { formatDotenv } from "../../src/sources/dotenv.js";
import { parseJson, runSecrets } from "../helpers/run-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";
import type { Served } from "../servers/permissions.js";

export type PolicyCommand = "migrate" | "validate" | "rollback" | "rotate" | "cleanup";

export interface PolicyTarget {
  readonly provider: string;
  readonly env: Record<string, string>;
  readonly args: readonly string[];
  readonly served: Served;
  readonly rotates: boolean;
}

const T0 = Date.parse("2026-03-01T10:00:00Z");

/**
 * Every command's scenarios against one test server, with what the server served during each
 * command: creates, updates, a no-op re-run, a dry run, drift, rotation, cleanup after the grace
 * period, and rollback of an update and of a create.
 */
export async function recordCommands(target: PolicyTarget, prefix: string): Promise<Map<PolicyCommand, Set<string>>> {
  const cwd = await tmpdir();
  const recorded = new Map<PolicyCommand, Set<string>>();
  const run = async (command: PolicyCommand, args: readonly string[], hours = 0) => {
    target.served();
    const r = await runSecrets([command, ...args, ...target.args], { cwd, env: target.env, now: () => new Date(T0 + hours * 3_600_000) });
    const into = recorded.get(command) ?? new Set<string>();
    for (const action of target.served()) into.add(action);
    recorded.set(command, into);
    return r;
  };
  const env = (pairs: Record<string, string>) => writeFile(join(cwd, ".env"), formatDotenv(Object.entries(pairs).map(([key, value]) => ({ key, value }))));
  expect((await runSecrets(["init"], { cwd, env: target.env })).code).toBe(0);
  const p = target.provider;
  const named = ["--prefix", prefix];

  await env({ API_KEY: "policy-value-one-0123456789", DB_PASSWORD: "policy-value-two-0123456789" });
  expect((await run("migrate", [p, "--dry-run", ...named])).code).toBe(0);
  const created = await run("migrate", [p, "--yes", "--json", ...named]);
  expect(created.code, created.stderr).toBe(0);
  expect((await run("migrate", [p, "--yes", ...named])).code).toBe(0);
  await env({ API_KEY: "policy-value-one-0123456789", DB_PASSWORD: "policy-value-changed-98765" });
  expect((await run("validate", [p, ...named])).code).toBe(1);
  const updated = await run("migrate", [p, "--yes", "--json", "--on-conflict", "overwrite", ...named]);
  expect(updated.code, updated.stderr).toBe(0);
  expect((await run("validate", [p, "--exact", ...named])).code).toBe(0);
  const purge = p === "azure" ? ["--purge"] : [];
  const undone = await run("rollback", [p, "--run", String(parseJson(updated).runId), "--yes"]);
  expect(undone.code, undone.stderr).toBe(0);
  await env({ API_KEY: "policy-value-one-0123456789", DB_PASSWORD: "policy-value-two-0123456789", EXTRA: "policy-value-three-01234567" });
  expect((await run("migrate", [p, "--yes", ...named])).code).toBe(0);
  const deleted = await run("rollback", [p, "--last", "--yes", ...purge]);
  expect(deleted.code, deleted.stderr).toBe(0);
  if (target.rotates) {
    const rotated = await run("rotate", [`${prefix}API_KEY`, "--provider", p, "--grace-period", "1h", "--yes", "--generator", "hex:32"], 1);
    expect(rotated.code, rotated.stderr).toBe(0);
  }
  const cleaned = await run("cleanup", [p, "--yes"], 3);
  expect(cleaned.code, cleaned.stderr).toBe(0);
  return recorded;
}
