import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import type { ProviderFactory } from "../../src/core/deps.js";
import { readJournal, runsOf } from "../../src/core/journal.js";
import { createProvider } from "../../src/providers/index.js";
import { type RotatingStore, type RotationLabels, rotationOf } from "../../src/rotation/types.js";
import { formatDotenv } from "../../src/sources/dotenv.js";
import { KvError } from "../servers/azure-kv-model.js";
import { GcpError } from "../servers/gcp-sm-model.js";
import { type AppReader, awsReader, azureReader, gcpReader, vaultReader } from "./app-read.js";
import { startAwsHarness } from "./aws-harness.js";
import { startAzureHarness } from "./azure-harness.js";
import { startGcpHarness } from "./gcp-harness.js";
import { testContext } from "./provider-context.js";
import { type RunOptions, runSecrets } from "./run-cli.js";
import { tmpdir } from "./tmpdir.js";
import { startVaultHarness } from "./vault-harness.js";

export type RemoteName = "aws" | "vault" | "gcp" | "azure";

/** A rotating remote provider on a fresh wire-level test server, with the views the tests assert on, all read from the server. */
export interface Remote {
  readonly provider: RemoteName;
  readonly env: Record<string, string>;
  readonly args: readonly string[];
  /** The application's plain default read of `name` (or of one `version` by its number or id), straight over HTTP. */
  reader(name: string, version?: string): Promise<AppReader>;
  /** A pending value is still stored somewhere (AWSPENDING on a version, an enabled sibling secret). */
  pendingLeft(name: string): boolean;
  /** Versions the server holds for the real secret `name`, whatever their state. */
  versionCount(name: string): number;
  /** `version` can no longer be read by its number or id (AWS: lost AWSPREVIOUS). */
  previousGone(name: string, version: string): boolean;
  /** Makes the server refuse promotion's write of the real secret once; returns the undo. */
  failPromoteWrite(): () => void;
  /** Makes the server refuse removing a sibling pending value (where there is one); returns the undo. */
  readonly failPendingRemoval?: () => () => void;
  /** The endpoint for a spawned CLI routed through another server (a kill proxy), and how it tells writes. */
  route(url: string): { env: Record<string, string>; args: readonly string[] };
  readonly upstream: string;
  readonly tls?: { cert: string; key: string };
  stop(): Promise<void>;
}

export async function awsRemote(): Promise<Remote> {
  const h = await startAwsHarness();
  const versions = (name: string) => h.server.versions(name);
  return {
    provider: "aws",
    env: h.env,
    args: [],
    reader: async (name, version) => awsReader(h.server, name, version),
    pendingLeft: (name) => versions(name).some((v) => v.stages.includes("AWSPENDING")),
    versionCount: (name) => versions(name).length,
    previousGone: (name, version) => !versions(name).some((v) => v.id === version && v.stages.includes("AWSPREVIOUS")),
    failPromoteWrite() {
      h.server.setOptions({ denied: ["UpdateSecretVersionStage"] });
      return () => h.server.setOptions({ denied: [] });
    },
    route: (url) => ({ env: { ...h.env, AWS_ENDPOINT_URL_SECRETS_MANAGER: url }, args: [] }),
    upstream: h.server.url,
    stop: () => h.stop(),
  };
}

export async function vaultRemote(kvVersion: 1 | 2 = 2): Promise<Remote> {
  const h = await startVaultHarness({ kvVersion });
  const key = (name: string) => h.server.kv2.keys.get(name);
  const mount = String(h.args[1]);
  return {
    provider: "vault",
    env: h.env,
    args: h.args,
    reader: async (name, version) => vaultReader(h.server, mount, name, version),
    pendingLeft: (name) => key(`secretshift-pending/${name}`) !== undefined,
    versionCount: (name) => key(name)?.versions.size ?? 0,
    previousGone: (name, version) => key(name)?.versions.get(Number(version))?.destroyed === true,
    failPromoteWrite() {
      // The one write of the real key (the sibling path is not it).
      const fault = { path: /^secret\/data\/(?!secretshift-pending\/)/, method: "POST", status: 400, errors: ["injected fault"], times: 1 };
      h.server.setOptions({ faults: [fault] });
      return () => h.server.setOptions({ faults: [] });
    },
    failPendingRemoval() {
      h.server.setOptions({ faults: [{ path: /^secret\/metadata\/secretshift-pending\//, method: "DELETE", status: 403, errors: ["permission denied"] }] });
      return () => h.server.setOptions({ faults: [] });
    },
    route: (url) => ({ env: { ...h.env, VAULT_ADDR: url }, args: h.args }),
    upstream: h.server.url,
    stop: () => h.stop(),
  };
}

export async function gcpRemote(): Promise<Remote> {
  const h = await startGcpHarness();
  const id = (name: string) => name.replaceAll("/", "__");
  const secret = (name: string) => h.server.model.secrets.get(id(name));
  return {
    provider: "gcp",
    env: h.env,
    args: h.args,
    reader: async (name, version) => gcpReader(h.server, id(name), version),
    pendingLeft: (name) => (h.server.model.secrets.get(`secretshift-pending__${id(name)}`)?.versions ?? []).some((v) => v.state === "ENABLED"),
    versionCount: (name) => secret(name)?.versions.length ?? 0,
    previousGone: (name, version) => secret(name)?.versions.find((v) => String(v.number) === version)?.state === "DESTROYED",
    failPromoteWrite() {
      // Promotion's AddSecretVersion of the real secret: the first version added to a secret that already has one.
      const model = h.server.model;
      const add = model.addVersion.bind(model);
      let once = true;
      model.addVersion = (secretId, data, now) => {
        if (once && !secretId.startsWith("secretshift-pending__") && (model.secrets.get(secretId)?.versions.length ?? 0) > 0) {
          once = false;
          throw new GcpError(400, "FAILED_PRECONDITION", "injected fault");
        }
        return add(secretId, data, now);
      };
      return () => {
        model.addVersion = add;
      };
    },
    failPendingRemoval() {
      const model = h.server.model;
      const remove = model.remove.bind(model);
      model.remove = (secretId, etag) => {
        if (secretId.startsWith("secretshift-pending__")) throw new GcpError(403, "PERMISSION_DENIED", "Permission 'secretmanager.secrets.delete' denied");
        remove(secretId, etag);
      };
      return () => {
        model.remove = remove;
      };
    },
    route: (url) => ({ env: h.env, args: ["--endpoint", url] }),
    upstream: h.server.url,
    stop: () => h.stop(),
  };
}

export async function azureRemote(): Promise<Remote> {
  const h = await startAzureHarness();
  const stored = (name: string) => name.replaceAll("/", "--").replaceAll("_", "-");
  const secret = (name: string) => h.server.model.secrets.get(stored(name).toLowerCase());
  return {
    provider: "azure",
    env: h.env,
    args: [],
    reader: (name, version) => azureReader(h.server, stored(name), version),
    pendingLeft: (name) => (h.server.model.secrets.get(`secretshift-pending--${stored(name)}`.toLowerCase())?.versions ?? []).some((v) => v.enabled),
    versionCount: (name) => secret(name)?.versions.length ?? 0,
    previousGone: (name, version) => secret(name)?.versions.find((v) => v.id === version)?.enabled === false,
    failPromoteWrite() {
      const model = h.server.model;
      const set = model.set.bind(model);
      let once = true;
      model.set = (name, ...rest) => {
        if (once && !name.toLowerCase().startsWith("secretshift-pending--")) {
          once = false;
          throw new KvError(400, "BadParameter", "injected fault");
        }
        return set(name, ...rest);
      };
      return () => {
        model.set = set;
      };
    },
    failPendingRemoval() {
      const model = h.server.model;
      const update = model.update.bind(model);
      model.update = (name, id, body) => {
        if (name.toLowerCase().startsWith("secretshift-pending--")) throw new KvError(403, "Forbidden", "The user does not have secrets update permission");
        return update(name, id, body);
      };
      return () => {
        model.update = update;
      };
    },
    route: (url) => ({ env: { ...h.env, AZURE_KEYVAULT_URL: url }, args: [] }),
    upstream: h.server.url,
    tls: { cert: h.server.certificate.cert, key: h.server.certificate.key },
    stop: () => h.stop(),
  };
}

export const REMOTES: readonly [RemoteName, () => Promise<Remote>][] = [
  ["aws", awsRemote],
  ["vault", () => vaultRemote(2)],
  ["gcp", gcpRemote],
  ["azure", azureRemote],
];

/** A project with `init` done and `.env` migrated to the remote with `migrate <provider> --yes`. */
export async function remoteProject(remote: Remote, secrets: Record<string, string>) {
  const cwd = await tmpdir();
  const run = (args: readonly string[], options: Omit<RunOptions, "cwd"> = {}) =>
    runSecrets([...args, ...remote.args], { cwd, ...options, env: { ...remote.env, ...options.env } });
  await writeFile(join(cwd, ".env"), formatDotenv(Object.entries(secrets).map(([key, value]) => ({ key, value }))));
  expect((await run(["init"])).code).toBe(0);
  const migrated = await run(["migrate", remote.provider, "--yes"]);
  expect(migrated.code, migrated.stderr).toBe(0);
  const ctx = testContext(optionsOf(remote), remote.env, join(cwd, ".secrets"));
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

function optionsOf(remote: Remote): Record<string, string> {
  const flags = remote.args;
  const options: Record<string, string> = {};
  for (let i = 0; i + 1 < flags.length; i += 2) options[String(flags[i]).replace(/^--/, "")] = String(flags[i + 1]);
  return options;
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
