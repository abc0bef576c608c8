import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { loadKey, open } from "../../src/core/crypto.js";
import type { ProviderName } from "../../src/providers/index.js";
import { CURRENT } from "../servers/aws-sm-model.js";
import { startAwsHarness } from "./aws-harness.js";
import { startAzureHarness } from "./azure-harness.js";
import { startGcpHarness } from "./gcp-harness.js";
import { startK8sHarness } from "./k8s-harness.js";
import { storeDocument } from "./local-store-file.js";
import { onCount } from "./server-events.js";
import { startVaultHarness } from "./vault-harness.js";

/**
 * A provider's test server as the crash tests see it: what a default reader gets for each live
 * name, read from the server's own model (never through secretshift), and a hook on the n-th
 * write request the server receives. Until the servers expose snapshots and write counters of
 * their own, this file is the one place that reaches into their models.
 */
export interface CrashTarget {
  readonly label: string;
  readonly provider: ProviderName;
  readonly env: Record<string, string>;
  readonly args: readonly string[];
  /** A run's writes go out as one request (the Kubernetes single-Secret layout). */
  readonly batched?: boolean;
  /** Secrets a trial updates (and half as many it creates): fewer where the product paces writes (GCP, 10 a second). */
  readonly updates?: number;
  /** Live names starting with `prefix` → the value a plain default read returns (`@version` where rollback restores versions exactly). */
  state(prefix: string): Record<string, string>;
  /** Calls `fn` synchronously when the server handles the n-th data write from now (before it answers). */
  onWrite(n: number, fn: () => void): void;
  stop(): Promise<void>;
}

const under = <T>(entries: Iterable<[string, T]>, prefix: string, read: (v: T) => string | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, v] of entries) {
    const value = name.startsWith(prefix) ? read(v) : undefined;
    if (value !== undefined) out[name] = value;
  }
  return out;
};

export const CRASH_TARGETS: Record<string, () => Promise<CrashTarget>> = {
  async aws() {
    const h = await startAwsHarness();
    const model = h.server.state;
    return {
      label: "aws",
      provider: "aws",
      env: h.env,
      args: [],
      // Rollback moves AWSCURRENT back to the old version id: the id is part of the state.
      state: (prefix) =>
        under(model.secrets, prefix, (s) => {
          const v = s.deletedDate ? undefined : model.holder(s, CURRENT);
          return v && `${v.string}@${v.id}`;
        }),
      onWrite: (n, fn) => onCount(h.server.counts, ["CreateSecret", "PutSecretValue"], n, fn),
      stop: () => h.stop(),
    };
  },
  vault2: () => vaultTarget(2),
  vault1: () => vaultTarget(1),
  async gcp() {
    const h = await startGcpHarness();
    return {
      label: "gcp",
      provider: "gcp",
      updates: 12,
      env: h.env,
      args: h.args,
      // `latest` as a reader sees it: the newest enabled version; a secret without one is listed empty.
      state: (prefix) =>
        under(
          h.server.model.secrets,
          prefix,
          (s) =>
            [...s.versions]
              .reverse()
              .find((v) => v.state === "ENABLED")
              ?.data?.toString("utf8") ?? "",
        ),
      onWrite: (n, fn) => onCount(h.server.counts, ["CreateSecret", "AddSecretVersion"], n, fn),
      stop: () => h.stop(),
    };
  },
  async azure() {
    const h = await startAzureHarness();
    return {
      label: "azure",
      provider: "azure",
      updates: 24,
      env: h.env,
      args: [],
      state: (prefix) => under(h.server.model.secrets, prefix, (s) => (s.deleted ? undefined : s.versions.at(-1)?.value)),
      onWrite: (n, fn) => onCount(h.server.counts, ["SetSecret"], n, fn),
      stop: () => h.stop(),
    };
  },
  k8s: () => k8sTarget("per-secret"),
  k8sSingle: () => k8sTarget("single"),
};

async function vaultTarget(kvVersion: 1 | 2): Promise<CrashTarget> {
  const h = await startVaultHarness({ kvVersion });
  const { kv1, kv2 } = h.server;
  const field = (data: Record<string, unknown> | null | undefined) => (typeof data?.value === "string" ? data.value : undefined);
  return {
    label: `vault kv v${kvVersion}`,
    provider: "vault",
    env: h.env,
    args: h.args,
    state: (prefix) =>
      kvVersion === 1
        ? under(kv1.entries, prefix, field)
        : under(kv2.keys, prefix, (k) => {
            const v = k.versions.get(k.current);
            return v && !v.destroyed && v.deletion === "" ? field(v.data) : undefined;
          }),
    onWrite: (n, fn) => onCount(h.server.counts, [kvVersion === 1 ? "kv1.write" : "kv2.data.write"], n, fn),
    stop: () => h.stop(),
  };
}

/** The per-secret layout (one Secret per name, key `value`) or one Secret holding every name, which a run writes in one request. */
async function k8sTarget(layout: "per-secret" | "single"): Promise<CrashTarget> {
  const h = await startK8sHarness({ layout, secretName: "crash-suite" });
  const decode = (b64: string | undefined) => (b64 === undefined ? undefined : Buffer.from(b64, "base64").toString("utf8"));
  const secrets = () =>
    (h.server.secrets.list(h.namespace, () => true).body as { items: { metadata: { name: string }; data?: Record<string, string> }[] }).items;
  return {
    label: layout === "single" ? "k8s (one Secret)" : "k8s (per-secret)",
    provider: "k8s",
    batched: layout === "single",
    env: h.env,
    args: h.args,
    state: (prefix) =>
      layout === "single"
        ? under(Object.entries(h.server.secrets.peek(h.namespace, "crash-suite")?.data ?? {}), prefix, decode)
        : under(
            secrets().map((s) => [s.metadata.name, s.data?.value] as [string, string | undefined]),
            prefix,
            decode,
          ),
    onWrite: (n, fn) => {
      let seen = 0;
      h.server.beforeWrite = () => {
        if (++seen === n) fn();
      };
    },
    stop: () => h.stop(),
  };
}

interface LocalFile {
  secrets: Record<string, { labels: { current?: string }; versions: Record<string, { sealed: string }> }>;
}

/** The local store as its file holds it: every name's current value and version, decrypted here with the data key. */
export async function localState(cwd: string): Promise<Record<string, string>> {
  const stateDir = join(cwd, ".secrets");
  const key = await loadKey({ env: {}, stateDir });
  if (!key) throw new Error(`no key in ${stateDir}`);
  const text = await readFile(join(stateDir, "store.enc"), "utf8").catch(() => '{}\n{"secrets":{}}');
  const doc = storeDocument(text) as LocalFile;
  const out: Record<string, string> = {};
  for (const [name, secret] of Object.entries(doc.secrets)) {
    const version = secret.labels.current;
    const sealed = version === undefined ? undefined : secret.versions[version]?.sealed;
    if (sealed !== undefined) out[name] = `${open(key, sealed, `store:${name}:${version}`).toString("utf8")}@${version}`;
  }
  return out;
}
