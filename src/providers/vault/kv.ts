import { usageError } from "../../core/errors.js";
import type { VaultCaller } from "./call.js";
import type { VaultBody } from "./client.js";
import { type Capability, isHttpError } from "./errors.js";

/** `data` undefined: the latest KV v2 version is deleted or destroyed. */
export interface KvRead {
  readonly version: number;
  readonly data: Record<string, unknown> | undefined;
  readonly custom?: Readonly<Record<string, string>>;
}

export interface KvMeta {
  readonly current: number;
  readonly custom: Readonly<Record<string, string>>;
}

export interface KvMount {
  readonly mount: string;
  /** `team` for `--mount secret/team`, put before every name. */
  readonly subPath: string;
  readonly version: 1 | 2;
}

export const isCasMismatch = (e: unknown): boolean => isHttpError(e, 400) && e.errors.some((m) => m.includes("check-and-set parameter did not match"));

export function fieldOf(data: Record<string, unknown> | undefined, field: string): string | undefined {
  const v = data?.[field];
  return v === undefined ? undefined : typeof v === "string" ? v : JSON.stringify(v);
}

const record = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

const customOf = (meta: Record<string, unknown> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(record(meta?.custom_metadata) ?? {}).map(([k, v]) => [k, String(v)]));

/** The KV v1 / v2 path differences, in one place. */
export class KvClient {
  constructor(
    private readonly caller: VaultCaller,
    readonly where: KvMount,
  ) {}

  get version(): 1 | 2 {
    return this.where.version;
  }

  private key(name: string): string {
    return this.where.subPath ? `${this.where.subPath}/${name}` : name;
  }

  dataPath(name: string): string {
    return this.version === 2 ? `${this.where.mount}/data/${this.key(name)}` : `${this.where.mount}/${this.key(name)}`;
  }

  metadataPath(name: string): string {
    return `${this.where.mount}/metadata/${this.key(name)}`;
  }

  async readLatest(name: string): Promise<KvRead | undefined> {
    const path = this.dataPath(name);
    try {
      const body = await this.caller.call({ capability: "read", path, expect: [404] }, (api) => api.read(path));
      if (this.version === 1) return { version: 0, data: record(body.data) ?? {} };
      const data = record(body.data);
      const meta = record(data?.metadata);
      return { version: Number(meta?.version ?? 0), data: record(data?.data) ?? {}, custom: customOf(meta) };
    } catch (error) {
      if (!isHttpError(error, 404)) throw error;
      // KV v2 answers a deleted or destroyed latest version with 404 and that version's metadata.
      const meta = this.version === 2 ? record(record(error.body?.data)?.metadata) : undefined;
      return typeof meta?.version === "number" ? { version: meta.version, data: undefined, custom: customOf(meta) } : undefined;
    }
  }

  /** Undefined when deleted, destroyed or pruned by max_versions. */
  async readVersion(name: string, version: number): Promise<Record<string, unknown> | undefined> {
    const path = this.dataPath(name);
    try {
      const body = await this.caller.call({ capability: "read", path, expect: [404] }, (api) => api.read(`${path}?version=${version}`));
      return record(record(body.data)?.data);
    } catch (error) {
      if (isHttpError(error, 404)) return undefined;
      throw error;
    }
  }

  async readMeta(name: string): Promise<KvMeta | undefined> {
    const path = this.metadataPath(name);
    try {
      const data = record((await this.caller.call({ capability: "read", path, expect: [404] }, (api) => api.read(path))).data) ?? {};
      return { current: Number(data.current_version ?? 0), custom: customOf(data) };
    } catch (error) {
      if (isHttpError(error, 404)) return undefined;
      throw error;
    }
  }

  /** All fields of the path; returns the new version (0 on v1). A cas mismatch is the caller's to judge. */
  async write(name: string, data: Record<string, unknown>, capability: Capability, cas?: number): Promise<number> {
    const path = this.dataPath(name);
    const spec = { capability, path, expect: [400] };
    try {
      if (this.version === 1) {
        await this.caller.call(spec, (api) => api.write(path, data));
        return 0;
      }
      const body: VaultBody = await this.caller.call(spec, (api) => api.write(path, { data, ...(cas === undefined ? {} : { options: { cas } }) }));
      return Number(record(body.data)?.version ?? 0);
    } catch (error) {
      if (isHttpError(error) && !isCasMismatch(error)) throw this.caller.toCliError(error, spec);
      throw error;
    }
  }

  async patchMeta(name: string, patch: Record<string, unknown>): Promise<void> {
    const path = this.metadataPath(name);
    await this.caller.call({ capability: "patch", path, expect: [400, 403, 404, 405, 415] }, (api) => api.patch(path, patch));
  }

  /** custom_metadata as a whole. */
  async writeMeta(name: string, body: Record<string, unknown>): Promise<void> {
    const path = this.metadataPath(name);
    await this.caller.call({ capability: "create", path }, (api) => api.write(path, body));
  }

  async destroy(name: string, versions: readonly number[]): Promise<void> {
    const path = `${this.where.mount}/destroy/${this.key(name)}`;
    await this.caller.call({ capability: "update", path }, (api) => api.write(path, { versions }));
  }

  async remove(name: string): Promise<void> {
    const path = this.version === 2 ? this.metadataPath(name) : this.dataPath(name);
    await this.caller.call({ capability: "delete", path }, (api) => api.delete(path));
  }

  /** Walking LIST recursively from the folder the prefix is in, except below `skip`. */
  async list(prefix: string, concurrency: number, skip?: string): Promise<string[]> {
    const cut = prefix.lastIndexOf("/");
    const queue = [cut < 0 ? "" : prefix.slice(0, cut + 1)];
    const found: string[] = [];
    while (queue.length > 0) {
      const batch = queue.splice(0, Math.max(1, concurrency));
      await Promise.all(
        batch.map(async (dir) => {
          for (const k of await this.listFolder(dir)) {
            const full = dir + k;
            if (k.endsWith("/")) {
              if (full === skip) continue;
              if (full.startsWith(prefix) || prefix.startsWith(full)) queue.push(full);
            } else if (full.startsWith(prefix)) found.push(full);
          }
        }),
      );
    }
    return found.sort();
  }

  private async listFolder(dir: string): Promise<string[]> {
    const base = this.version === 2 ? `${this.where.mount}/metadata/` : `${this.where.mount}/`;
    const path = `${base}${this.where.subPath ? `${this.where.subPath}/` : ""}${dir}`;
    try {
      const body = await this.caller.call({ capability: "list", path, expect: [404] }, (api) => api.list(path));
      const keys = record(body.data)?.keys;
      return Array.isArray(keys) ? keys.map(String) : [];
    } catch (error) {
      if (isHttpError(error, 404)) return [];
      throw error;
    }
  }
}

/** `sys/internal/ui/mounts/<mount>` (any capability on the mount will do), else `sys/mounts`, else ask. */
export async function detectKvMount(caller: VaultCaller, mount: string): Promise<KvMount> {
  const ui = `sys/internal/ui/mounts/${mount}`;
  try {
    const data = record((await caller.call({ capability: "read", path: ui, expect: [400, 403, 404] }, (api) => api.read(ui))).data) ?? {};
    return describe(mount, String(data.path ?? mount), data);
  } catch (error) {
    if (!isHttpError(error)) throw error;
  }
  try {
    const body = await caller.call({ capability: "read", path: "sys/mounts", expect: [400, 403, 404] }, (api) => api.read("sys/mounts"));
    const table = record(body.data) ?? (body as Record<string, unknown>);
    const hits = Object.keys(table)
      .map((k) => k.replace(/\/+$/, ""))
      .filter((k) => k !== "" && (mount === k || mount.startsWith(`${k}/`)))
      .sort((a, b) => b.length - a.length);
    const hit = hits[0];
    if (hit === undefined) throw usageError("VAULT_NO_MOUNT", `no secrets engine is mounted at ${mount}/`, "check --mount (`vault secrets list`)");
    return describe(mount, hit, record(table[`${hit}/`]) ?? {});
  } catch (error) {
    if (!isHttpError(error)) throw error;
    throw usageError(
      "VAULT_KV_VERSION",
      `cannot tell the KV version of ${mount}/: the token may read neither sys/internal/ui/mounts nor sys/mounts`,
      "pass --kv-version 1 or 2",
    );
  }
}

function describe(asked: string, mountPath: string, entry: Record<string, unknown>): KvMount {
  const mount = mountPath.replace(/^\/+|\/+$/g, "");
  if (entry.type !== undefined && entry.type !== "kv" && entry.type !== "generic") {
    throw usageError("VAULT_NOT_KV", `${mount}/ is a ${String(entry.type)} secrets engine, not KV`, "point --mount at a KV mount");
  }
  const version = String(record(entry.options)?.version ?? "1") === "2" ? 2 : 1;
  return { mount, subPath: asked.slice(mount.length).replace(/^\/+/, ""), version };
}
