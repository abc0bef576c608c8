import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ProviderFactory } from "../../src/core/deps.js";
import { createProvider } from "../../src/providers/index.js";
import { formatDotenv } from "../../src/sources/dotenv.js";
import { snapshot, type Target } from "../helpers/provider-snapshot.js";
import { parseJson, type RunOptions, runSecrets } from "../helpers/run-cli.js";
import { everyCount } from "../helpers/server-events.js";
import { valuesOf } from "../helpers/state-files.js";
import { tmpdir } from "../helpers/tmpdir.js";
import { startVaultHarness, type VaultHarness } from "../helpers/vault-harness.js";

/**
 * The vault provider through the CLI against the wire-level Vault: a writer racing the run,
 * AppRole with a short-lived token over a slow run, a denied path, a sealed Vault, KV v1 rollback.
 */
let h: VaultHarness;
let seq = 0;

beforeAll(async () => {
  h = await startVaultHarness({ kvVersion: 2 });
});
afterAll(() => h?.stop());
afterEach(() => h.server.setOptions({ deny: [], sealed: false, latencyMs: 0 }));

type Kv = 1 | 2;
const mountOf = (kv: Kv) => (kv === 2 ? h.server.mounts.kv2 : h.server.mounts.kv1);

const entries = (n: number, tag: string, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ key: `KEY_${String(from + i).padStart(4, "0")}`, value: `${tag}-${from + i}-${"v".repeat(16)}` }));

/** A project dir after `secrets init`, with its own prefix on the shared server. */
async function project(kv: Kv, env: Record<string, string> = {}) {
  const cwd = await tmpdir();
  const prefix = `x${process.pid}n${seq++}/`;
  const allEnv = { ...h.env, ...env };
  const mountArgs = ["--mount", mountOf(kv)];
  const target: Target = {
    provider: "vault",
    env: h.env,
    args: mountArgs,
    options: { mount: mountOf(kv) },
    server: h.server,
    versionsAdvanceOnRestore: kv === 2,
  };
  const run = (args: string[], more: Partial<RunOptions> = {}) => runSecrets([...args, ...mountArgs], { cwd, env: allEnv, ...more });
  const migrate = (...args: string[]) => run(["migrate", "vault", "--yes", "--prefix", prefix, ...args]);
  expect((await run(["init"])).code).toBe(0);
  const writeEnv = (list: { key: string; value: string }[]) => writeFile(join(cwd, ".env"), formatDotenv(list));
  const state = () => snapshot(target, cwd, prefix);
  /** The field as the server holds it, read without HTTP. */
  const stored = (key: string) => (kv === 2 ? h.server.kv2.get(`${prefix}${key}`) : h.server.kv1.get(`${prefix}${key}`))?.value;
  return { cwd, prefix, run, migrate, writeEnv, state, stored };
}

/** Another client writing `value` to `name` through the HTTP API, as a teammate's `vault kv put` would. */
async function writeAsSomeoneElse(kv: Kv, name: string, value: string): Promise<void> {
  const path = kv === 2 ? `${h.server.mounts.kv2}/data/${name}` : `${h.server.mounts.kv1}/${name}`;
  const body = kv === 2 ? { data: { value } } : { value };
  const res = await fetch(`${h.server.url}/v1/${path}`, { method: "POST", headers: { "X-Vault-Token": h.server.rootToken }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`concurrent write answered ${res.status}`);
}

/** The real provider, with `before` run once, right before its first write: the gap between plan and apply. */
function beforeFirstWrite(before: () => Promise<void>): ProviderFactory {
  return async (name, ctx) => {
    const store = await createProvider(name, ctx);
    const write = store.write.bind(store);
    let pending: Promise<void> | undefined;
    store.write = async (op) => {
      pending ??= before();
      await pending;
      return write(op);
    };
    return store;
  };
}

interface MigrateDoc {
  summary: Record<string, number>;
  items: { name: string; action: string; error?: string }[];
}

describe.each([2, 1] as const)("vault KV v%i through the CLI", (kv) => {
  it("a writer changing a secret between plan and apply makes that item fail as a conflict, its value untouched", async () => {
    const p = await project(kv);
    await p.writeEnv(entries(3, "old"));
    expect((await p.migrate()).code).toBe(0);
    await p.writeEnv(entries(3, "newer"));
    const raced = `${p.prefix}KEY_0001`;
    const racing = await p.run(["migrate", "vault", "--yes", "--json", "--on-conflict", "overwrite", "--prefix", p.prefix], {
      providers: beforeFirstWrite(() => writeAsSomeoneElse(kv, raced, "teammate-value")),
    });
    expect(racing.code, racing.stderr).toBe(1);
    const doc = parseJson(racing) as unknown as MigrateDoc;
    expect(doc.summary).toMatchObject({ failed: 1, update: 2 });
    const item = doc.items.find((i) => i.name === raced);
    expect(item?.action).toBe("failed");
    expect(item?.error).toMatch(/KEY_0001 changed since it was read/);
    expect(p.stored("KEY_0001")).toBe("teammate-value");
    expect(p.stored("KEY_0000")).toMatch(/^newer-/);
    expect(p.stored("KEY_0002")).toMatch(/^newer-/);
  });

  it("403 on one path fails that item naming the path, applies the rest, exit 1, and rollback restores", async () => {
    const p = await project(kv);
    await p.writeEnv(entries(3, "old"));
    expect((await p.migrate()).code).toBe(0);
    const before = await p.state();
    await p.writeEnv([...entries(3, "new"), ...entries(2, "added", 3)]);
    const path = kv === 2 ? `${mountOf(kv)}/data/${p.prefix}KEY_0001` : `${mountOf(kv)}/${p.prefix}KEY_0001`;
    h.server.setOptions({ deny: [{ path, capabilities: ["update"] }] });
    const r = await p.migrate("--json", "--on-conflict", "overwrite");
    expect(r.code, r.stderr).toBe(1);
    const doc = parseJson(r) as unknown as MigrateDoc;
    expect(doc.summary).toMatchObject({ failed: 1, update: 2, create: 2 });
    expect(doc.items.find((i) => i.name === `${p.prefix}KEY_0001`)).toMatchObject({ action: "failed", error: `Vault denied update on ${path}` });
    expect(p.stored("KEY_0000")).toMatch(/^new-/);
    expect(p.stored("KEY_0001")).toMatch(/^old-/);
    expect(p.stored("KEY_0004")).toMatch(/^added-/);

    const back = await p.run(["rollback", "vault", "--last", "--yes"]);
    expect(back.code, back.stderr + back.stdout).toBe(0);
    expect(await p.state()).toEqual(before);
  });
});

describe("vault through the CLI", () => {
  it("logs in with AppRole and keeps a 1 s token alive across a slow run by renewing, then logging in again", async () => {
    const p = await project(2, { VAULT_TOKEN: "", VAULT_ROLE_ID: h.server.approle.roleId, VAULT_SECRET_ID: h.server.approle.secretId });
    const list = entries(60, "ar");
    await p.writeEnv(list);
    // One clock for the server and the CLI that moves 100 ms with every request the server takes:
    // the run outlives the token's 2 s maximum however fast the machine is.
    let now = Date.now();
    h.server.setOptions({ tokenTtl: 1, tokenMaxTtl: 2, now: () => now });
    h.server.resetCounts();
    everyCount(h.server.counts, ["total"], () => {
      now += 100;
    });
    const args = ["migrate", "vault", "--yes", "--prefix", p.prefix, "--concurrency", "2", "--verbose"];
    const r = await p.run(args, { now: () => new Date(now) }).finally(() => h.server.setOptions({ now: undefined }));
    expect(r.code, r.stderr).toBe(0);
    expect(h.server.counts["auth.token.renew-self"]).toBeGreaterThanOrEqual(1);
    expect(h.server.counts["auth.approle.login"]).toBeGreaterThanOrEqual(2);
    expect(r.stderr).toMatch(/logged in to Vault with AppRole \(token TTL 1 s\)/);
    expect(r.stderr).toMatch(/renewed the Vault token/);
    expect(valuesOf(await p.state())).toEqual(Object.fromEntries(list.map((e) => [`${p.prefix}${e.key}`, e.value])));
  }, 30_000);

  it("a sealed Vault is exit 3 with the reason and a hint, before anything is written", async () => {
    const p = await project(2);
    await p.writeEnv(entries(2, "s"));
    h.server.setOptions({ sealed: true });
    const r = await p.migrate();
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error \[VAULT_SEALED\]: Vault at http:\/\/127\.0\.0\.1:\d+ is sealed\nhint: unseal it/m);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    h.server.setOptions({ sealed: false });
    expect(await p.state()).toEqual({});
  });

  it("KV v1 rollback says the restore comes from the encrypted backup", async () => {
    const p = await project(1);
    await p.writeEnv(entries(2, "old"));
    expect((await p.migrate()).code).toBe(0);
    const before = await p.state();
    await p.writeEnv(entries(2, "new"));
    expect((await p.migrate("--on-conflict", "overwrite")).code).toBe(0);
    const back = await p.run(["rollback", "vault", "--last", "--yes"]);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stderr).toMatch(/rolling back run \S+ on vault \(from the encrypted backup: this provider keeps no versions\)/);
    expect(await p.state()).toEqual(before);
  });
});
