import { fail, ok, type Reply } from "./vault-http.js";
import type { Engine } from "./vault-kv1.js";

export type MountTable = readonly (readonly [path: string, engine: Engine])[];

/** A mount's entry as `sys/mounts` shows it; KV v1 mounted without options has `options: null`. */
export function mountInfo(version: 1 | 2): Record<string, unknown> {
  return {
    accessor: `kv_${version}`,
    config: { default_lease_ttl: 0, force_no_cache: false, max_lease_ttl: 0 },
    description: version === 2 ? "key/value secret storage" : "",
    external_entropy_access: false,
    local: false,
    options: version === 2 ? { version: "2" } : null,
    plugin_version: "",
    running_plugin_version: "v0.20.0+builtin",
    seal_wrap: false,
    type: "kv",
    uuid: `00000000-0000-0000-0000-00000000000${version}`,
  };
}

export const findMount = (mounts: MountTable, path: string) => mounts.find(([m]) => path === m || path.startsWith(`${m}/`));

/** `sys/internal/ui/mounts/<path>` and `sys/mounts`, or undefined for any other path. */
export function sysRoute(path: string, method: string, mounts: MountTable, count: (name: string) => void): Reply | undefined {
  if (method !== "GET") return undefined;
  if (path.startsWith("sys/internal/ui/mounts/")) {
    count("sys.internal.ui.mounts");
    const asked = path.slice("sys/internal/ui/mounts/".length);
    const hit = findMount(mounts, asked);
    // Vault answers 403, not 404, so the endpoint cannot be used to enumerate mounts.
    if (!hit) return fail(403, `preflight capability check returned 403, please ensure client's policies grant access to path "${asked}/"`);
    return ok({ ...mountInfo(hit[1].version), path: `${hit[0]}/` });
  }
  if (path === "sys/mounts") {
    count("sys.mounts");
    const all: Record<string, unknown> = Object.fromEntries(mounts.map(([m, e]) => [`${m}/`, mountInfo(e.version)]));
    all["cubbyhole/"] = { ...mountInfo(1), type: "cubbyhole", accessor: "cubbyhole_1" };
    // The table is both at the top level (legacy) and under `data`.
    return { status: 200, body: { ...all, ...(ok(all).body as object) } };
  }
  return undefined;
}

/** The unauthenticated status endpoints, which answer even while sealed. */
export function statusRoute(path: string, sealed: boolean): Reply | undefined {
  if (path === "sys/seal-status") return { status: 200, body: { type: "shamir", initialized: true, sealed, t: 1, n: 1, progress: 0, version: "1.17.0" } };
  if (path === "sys/health") return { status: sealed ? 503 : 200, body: { initialized: true, sealed, standby: false, version: "1.17.0" } };
  return undefined;
}

/** Vault policy path matching: exact, `prefix*`, and `+` for exactly one segment. */
export function policyMatch(pattern: string, path: string): boolean {
  const glob = pattern.endsWith("*");
  const body = glob ? pattern.slice(0, -1) : pattern;
  const re = body
    .split("+")
    .map((part) => part.replace(/[.*?^${}()|[\]\\]/g, "\\$&"))
    .join("[^/]+");
  return new RegExp(`^${re}${glob ? ".*" : ""}$`).test(path);
}
