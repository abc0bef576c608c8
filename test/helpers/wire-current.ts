import type { ProviderName } from "../../src/providers/index.js";
import type { KvV1Snapshot, KvV2Snapshot } from "../servers/vault-snapshot.js";

export type Current = Map<string, { value: string; version: string }>;

/** Where the target keeps its names: the settings a decoder needs besides the server's snapshot. */
export interface Placement {
  readonly options: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string>>;
}

type Decoder = (snapshot: Record<string, unknown>, where: Placement) => Current;

/** AWS: the version holding AWSCURRENT (GetSecretValue's default); a secret marked for deletion reads as nothing. */
const aws: Decoder = (snapshot) => {
  const out: Current = new Map();
  for (const [name, raw] of Object.entries(snapshot)) {
    const s = raw as { deletedDate?: string; versions: { id: string; value?: string; stages: string[] }[] };
    const current = s.versions.find((v) => v.stages.includes("AWSCURRENT"));
    if (!s.deletedDate && current?.value !== undefined) out.set(name, { value: current.value, version: current.id });
  }
  return out;
};

/** Vault: `GET <mount>/data/<path>` (v2, latest unless deleted or destroyed) or `GET <mount>/<path>` (v1), field `value`. */
const vault: Decoder = (snapshot, { options }) => {
  const out: Current = new Map();
  const mount = `${options.mount ?? "secret"}/`;
  const field = options.field ?? "value";
  for (const [path, raw] of Object.entries(snapshot)) {
    if (!path.startsWith(mount)) continue;
    const s = raw as KvV2Snapshot | KvV1Snapshot;
    let fields: Record<string, unknown> | null | undefined;
    if (s.kv === 1) fields = s.data;
    else {
      const v = s.versions[String(s.current)];
      fields = v && !v.deleted && !v.destroyed ? v.data : undefined;
    }
    const value = fields?.[field];
    if (typeof value === "string") out.set(path.slice(mount.length), { value, version: s.kv === 1 ? "" : String(s.current) });
  }
  return out;
};

/** GCP: `versions/latest` (the newest version, which must be enabled); `/` is stored as `__`. */
const gcp: Decoder = (snapshot) => {
  const out: Current = new Map();
  for (const [id, raw] of Object.entries(snapshot)) {
    const latest = (raw as { versions: { number: number; state: string; value?: string }[] }).versions.at(-1);
    if (latest?.state === "ENABLED" && latest.value !== undefined) out.set(id.replaceAll("__", "/"), { value: latest.value, version: String(latest.number) });
  }
  return out;
};

/** Azure: `GET /secrets/{name}` (the newest version of a live secret); the exact name is the secretshift-name tag. */
const azure: Decoder = (snapshot) => {
  const out: Current = new Map();
  for (const [stored, raw] of Object.entries(snapshot)) {
    const s = raw as { state: string; versions: { id: string; value: string; tags: Record<string, string> }[] };
    const latest = s.versions.at(-1);
    if (s.state === "live" && latest) out.set(latest.tags["secretshift-name"] ?? stored, { value: latest.value, version: latest.id });
  }
  return out;
};

/** Kubernetes: the Secret's data as a pod sees it (one Secret with `__` for `/`, or one Secret per name with key `value`). */
const k8s: Decoder = (snapshot, { options, env }) => {
  const out: Current = new Map();
  const ns = env.K8S_SECRET_NAMESPACE ?? "default";
  for (const [id, raw] of Object.entries(snapshot)) {
    const s = raw as { data: Record<string, string> };
    const [namespace, name = ""] = id.split("/");
    if (namespace !== ns) continue;
    // Kubernetes keeps no versions: the value is the whole state.
    if (options.layout === "per-secret" && s.data.value !== undefined) out.set(name.replaceAll(".", "/"), { value: s.data.value, version: "" });
    if (options.layout !== "per-secret" && name === options.secretName) {
      for (const [key, value] of Object.entries(s.data)) out.set(key.replaceAll("__", "/"), { value, version: "" });
    }
  }
  return out;
};

export const decoders: Record<Exclude<ProviderName, "local">, Decoder> = { aws, vault, gcp, azure, k8s };
