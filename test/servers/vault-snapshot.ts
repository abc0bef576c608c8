import type { KvV1Engine } from "./vault-kv1.js";
import type { KvV2Engine } from "./vault-kv2.js";

export interface KvV2Snapshot {
  readonly kv: 2;
  /** The version a plain `GET <mount>/data/<path>` returns (when it is neither deleted nor destroyed). */
  readonly current: number;
  readonly custom_metadata: Record<string, string> | null;
  readonly versions: Record<string, { data: Record<string, unknown> | null; deleted: boolean; destroyed: boolean }>;
}

export interface KvV1Snapshot {
  readonly kv: 1;
  readonly data: Record<string, unknown>;
}

/** Everything both KV mounts hold, keyed `<mount>/<path>`, as plain JSON. */
export function vaultSnapshot(mounts: { kv2: string; kv1: string }, kv2: KvV2Engine, kv1: KvV1Engine): Record<string, KvV2Snapshot | KvV1Snapshot> {
  const out: Record<string, KvV2Snapshot | KvV1Snapshot> = {};
  for (const [path, key] of kv2.keys) {
    const versions = Object.fromEntries(
      [...key.versions].map(([n, v]) => [String(n), { data: structuredClone(v.data), deleted: v.deletion !== "", destroyed: v.destroyed }]),
    );
    out[`${mounts.kv2}/${path}`] = { kv: 2, current: key.current, custom_metadata: structuredClone(key.custom), versions };
  }
  for (const [path, data] of kv1.entries) out[`${mounts.kv1}/${path}`] = { kv: 1, data: structuredClone(data) };
  return out;
}
