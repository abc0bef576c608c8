import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import type { ProviderFactory } from "../../src/core/deps.js";
import { readJournal, runsOf } from "../../src/core/journal.js";
import type { ProviderContext } from "../../src/providers/context.js";
import { createProvider } from "../../src/providers/index.js";
import type { SecretStore } from "../../src/providers/types.js";
import { type RotatingStore, type RotationLabels, rotationOf } from "../../src/rotation/types.js";
import { formatDotenv } from "../../src/sources/dotenv.js";
import { startAwsHarness } from "./aws-harness.js";
import { type RunOptions, runSecrets } from "./run-cli.js";
import { tmpdir } from "./tmpdir.js";
import { startVaultHarness } from "./vault-harness.js";

/** A rotating remote provider on a fresh wire-level test server, with the views the tests assert on. */
export interface Remote {
  readonly provider: "aws" | "vault";
  readonly env: Record<string, string>;
  readonly args: readonly string[];
  /** No AWSPENDING on any version / no pending marker and no live version above the one named current. */
  pendingLeft(name: string): boolean;
  /** Versions the server holds for `name`, destroyed or unlabelled ones included. */
  versionCount(name: string): number;
  /** AWS: `version` lost AWSPREVIOUS; Vault: `version` is destroyed. */
  previousGone(name: string, version: string): boolean;
  /** Makes the server refuse promote's first write; returns the undo. */
  failPromoteWrite(): () => void;
  stop(): Promise<void>;
}

export async function awsRemote(): Promise<Remote> {
  const h = await startAwsHarness();
  const versions = (name: string) => h.server.versions(name);
  return {
    provider: "aws",
    env: h.env,
    args: [],
    pendingLeft: (name) => versions(name).some((v) => v.stages.includes("AWSPENDING")),
    versionCount: (name) => versions(name).length,
    previousGone: (name, version) => !versions(name).some((v) => v.id === version && v.stages.includes("AWSPREVIOUS")),
    failPromoteWrite() {
      h.server.setOptions({ denied: ["UpdateSecretVersionStage"] });
      return () => h.server.setOptions({ denied: [] });
    },
    stop: () => h.stop(),
  };
}

export async function vaultRemote(kvVersion: 1 | 2 = 2): Promise<Remote> {
  const h = await startVaultHarness({ kvVersion });
  const key = (name: string) => h.server.kv2.keys.get(name);
  return {
    provider: "vault",
    env: h.env,
    args: h.args,
    pendingLeft: (name) => key(`secretshift-pending/${name}`) !== undefined,
    versionCount: (name) => key(name)?.versions.size ?? 0,
    previousGone: (name, version) => key(name)?.versions.get(Number(version))?.destroyed === true,
    failPromoteWrite() {
      // The one write of the real key (the sibling path is not it).
      h.server.setOptions({
        faults: [{ path: /^secret\/data\/(?!secretshift-pending\/)/, method: "POST", status: 400, errors: ["injected fault"], times: 1 }],
      });
      return () => h.server.setOptions({ faults: [] });
    },
    stop: () => h.stop(),
  };
}

/** A project with `init` done and `.env` migrated to the remote with `migrate <provider> --yes`. */
export async function remoteProject(remote: Remote, secrets: Record<string, string>) {
  const cwd = await tmpdir();
  const run = (args: readonly string[], options: Omit<RunOptions, "cwd"> = {}) =>
    runSecrets([...args, ...remote.args], { cwd, ...options, env: { ...remote.env, ...options.env } });
  await writeFile(join(cwd, ".env"), formatDotenv(Object.entries(secrets).map(([key, value]) => ({ key, value }))));
  expect((await run(["init"])).code).toBe(0);
  const migrated = await run(["migrate", remote.provider, "--yes"]);
  expect(migrated.code, migrated.stderr).toBe(0);
  const ctx: ProviderContext = {
    stateDir: join(cwd, ".secrets"),
    key: undefined,
    options: remote.provider === "vault" ? { mount: String(remote.args[1]) } : {},
    env: remote.env,
    clock: { now: () => new Date(), sleep: async () => undefined },
    concurrency: undefined,
    onEvent: () => undefined,
  };
  /** The labels as a fresh store reads them from the server. */
  const labels = async (name: string): Promise<RotationLabels | undefined> => {
    const store = await createProvider(remote.provider, ctx);
    try {
      await store.connect();
      return await rotationOf(store)?.readLabels(name);
    } finally {
      await store.close();
    }
  };
  const runs = async () => runsOf(await readJournal(join(cwd, ".secrets")));
  return { cwd, run, labels, runs };
}

/** The real provider, with `inject` active only while `promote` runs (a fault on the wire, not in our code). */
export function faultDuringPromote(inject: () => () => void): ProviderFactory {
  return async (name, ctx) => {
    const store = await createProvider(name, ctx);
    const rotation = store.rotation as RotatingStore;
    const promote = rotation.promote.bind(rotation);
    rotation.promote = async (op) => {
      const undo = inject();
      try {
        return await promote(op);
      } finally {
        undo();
      }
    };
    return store;
  };
}
