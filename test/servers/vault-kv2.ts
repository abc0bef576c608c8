import { fail, noContent, notFound, ok, type Reply } from "./vault-http.js";
import { clone, type Engine, type EngineRequest, isObject, listKeys, unsupported } from "./vault-kv1.js";
import { metadataPatch, metadataRead, metadataWrite } from "./vault-kv2-metadata.js";

export interface VersionEntry {
  data: Record<string, unknown> | null;
  readonly created: string;
  deletion: string;
  destroyed: boolean;
}

export interface KeyEntry {
  readonly versions: Map<number, VersionEntry>;
  current: number;
  oldest: number;
  readonly created: string;
  updated: string;
  maxVersions: number;
  casRequired: boolean;
  deleteVersionAfter: string;
  custom: Record<string, string> | null;
}

export interface KvV2Config {
  max_versions: number;
  cas_required: boolean;
  delete_version_after: string;
}

const INVALID_PATH =
  "Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv get' for this operation.";
const DEFAULT_MAX_VERSIONS = 10;

/** KV version 2 as vault-plugin-secrets-kv implements it: data/, metadata/, delete/, undelete/, destroy/, config. */
export class KvV2Engine implements Engine {
  readonly version = 2 as const;
  readonly keys = new Map<string, KeyEntry>();
  readonly config: KvV2Config = { max_versions: 0, cas_required: false, delete_version_after: "0s" };

  constructor(private readonly now: () => Date) {}

  newKey(): KeyEntry {
    const t = this.iso();
    return { versions: new Map(), current: 0, oldest: 0, created: t, updated: t, maxVersions: 0, casRequired: false, deleteVersionAfter: "0s", custom: null };
  }

  iso(): string {
    return this.now().toISOString();
  }

  exists(rest: string): boolean {
    const { kind, path } = split(rest);
    return kind === "data" || kind === "metadata" ? this.keys.has(path) : true;
  }

  opName(req: EngineRequest): string {
    const { kind } = split(req.rest);
    const verb = req.list ? "list" : ({ GET: "read", POST: "write", PUT: "write", DELETE: "delete", PATCH: "patch" }[req.method] ?? "other");
    return ["delete", "undelete", "destroy"].includes(kind) ? kind : `${kind}.${verb}`;
  }

  handle(req: EngineRequest): Reply {
    const { kind, path } = split(req.rest);
    switch (kind) {
      case "config":
        return this.configOp(req);
      case "data":
        if (req.list) return unsupported();
        if (req.method === "GET") return this.read(path, req.query.get("version"));
        if (req.method === "POST" || req.method === "PUT") return this.write(path, req.body);
        if (req.method === "DELETE") return this.softDeleteLatest(path);
        return unsupported();
      case "metadata":
        if (req.list) return listKeys(this.keys.keys(), path);
        if (req.method === "GET") return metadataRead(this, path);
        if (req.method === "POST" || req.method === "PUT") return metadataWrite(this, path, req.body);
        if (req.method === "PATCH") return metadataPatch(this, path, req.body, req.contentType);
        if (req.method === "DELETE") return this.keys.delete(path), noContent;
        return unsupported();
      case "delete":
      case "undelete":
      case "destroy":
        return req.method === "POST" || req.method === "PUT" ? this.versionsOp(kind, path, req.body) : unsupported();
      default:
        return { status: 404, body: { ...(ok(null).body as object), warnings: [INVALID_PATH] } };
    }
  }

  private configOp(req: EngineRequest): Reply {
    if (req.method === "GET") return ok({ ...this.config });
    if (req.method !== "POST" && req.method !== "PUT") return unsupported();
    const b = req.body;
    if (b.max_versions !== undefined) this.config.max_versions = Number(b.max_versions);
    if (b.cas_required !== undefined) this.config.cas_required = b.cas_required === true || b.cas_required === "true";
    if (b.delete_version_after !== undefined) this.config.delete_version_after = String(b.delete_version_after);
    return noContent;
  }

  private read(path: string, versionParam: string | null): Reply {
    const key = this.keys.get(path);
    if (!key) return notFound;
    const asked = Number(versionParam ?? 0);
    if (!Number.isInteger(asked)) return fail(400, `error converting input ${versionParam} for field "version"`);
    const version = asked <= 0 ? key.current : asked;
    const entry = key.versions.get(version);
    if (!entry) return notFound;
    const metadata = { created_time: entry.created, custom_metadata: key.custom, deletion_time: entry.deletion, destroyed: entry.destroyed, version };
    // A deleted or destroyed version answers 404 but still carries its metadata.
    if (entry.deletion !== "" || entry.destroyed || !entry.data) return { status: 404, body: ok({ data: null, metadata }, { mount_type: "kv" }).body };
    return ok({ data: clone(entry.data), metadata }, { mount_type: "kv" });
  }

  private write(path: string, body: Record<string, unknown>): Reply {
    if (path === "") return fail(400, "missing path");
    if (body.data === undefined) return fail(400, "no data provided");
    if (!isObject(body.data)) return fail(400, `error converting input for field "data": expected a map`);
    const options = isObject(body.options) ? body.options : {};
    const existing = this.keys.get(path);
    const current = existing?.current ?? 0;
    if (options.cas !== undefined) {
      const cas = Number(options.cas);
      if (!Number.isInteger(cas)) return fail(400, `error converting input for field "cas"`);
      if (cas !== current) return fail(400, "check-and-set parameter did not match the current version");
    } else if (this.config.cas_required || existing?.casRequired) {
      return fail(400, "check-and-set parameter required for this call");
    }
    const key = existing ?? this.newKey();
    this.keys.set(path, key);
    const t = this.iso();
    key.current += 1;
    key.versions.set(key.current, { data: clone(body.data), created: t, deletion: "", destroyed: false });
    if (key.oldest === 0) key.oldest = 1;
    key.updated = t;
    this.prune(key);
    return ok({ created_time: t, custom_metadata: key.custom, deletion_time: "", destroyed: false, version: key.current }, { mount_type: "kv" });
  }

  /** Effective max_versions is the larger of the key's and the mount's, 10 when both are 0. */
  private prune(key: KeyEntry): void {
    const max = Math.max(key.maxVersions, this.config.max_versions) || DEFAULT_MAX_VERSIONS;
    if (key.current - key.oldest < max) return;
    const last = key.current - max;
    for (let v = key.oldest; v <= last; v++) key.versions.delete(v);
    key.oldest = last + 1;
  }

  private softDeleteLatest(path: string): Reply {
    const entry = this.keys.get(path)?.versions.get(this.keys.get(path)?.current ?? 0);
    if (entry && entry.deletion === "" && !entry.destroyed) entry.deletion = this.iso();
    return noContent;
  }

  private versionsOp(kind: "delete" | "undelete" | "destroy", path: string, body: Record<string, unknown>): Reply {
    const versions = Array.isArray(body.versions) ? body.versions.map(Number) : [];
    if (versions.length === 0) return fail(400, "no version number provided");
    const key = this.keys.get(path);
    for (const v of versions) {
      const entry = key?.versions.get(v);
      if (!entry) continue;
      if (kind === "delete" && entry.deletion === "" && !entry.destroyed) entry.deletion = this.iso();
      if (kind === "undelete" && !entry.destroyed) entry.deletion = "";
      if (kind === "destroy") {
        entry.destroyed = true;
        entry.data = null;
      }
    }
    return noContent;
  }

  /** Test helpers: write a version (no cas) and read the latest data without HTTP. */
  put(path: string, data: Record<string, unknown>): number {
    const reply = this.write(path, { data, options: { cas: this.keys.get(path)?.current ?? 0 } });
    return (reply.body as { data: { version: number } }).data.version;
  }

  get(path: string, version?: number): Record<string, unknown> | undefined {
    const key = this.keys.get(path);
    const entry = key?.versions.get(version ?? key.current);
    return entry?.data && !entry.destroyed && entry.deletion === "" ? clone(entry.data) : undefined;
  }
}

function split(rest: string): { kind: string; path: string } {
  const slash = rest.indexOf("/");
  return slash < 0 ? { kind: rest, path: "" } : { kind: rest.slice(0, slash), path: rest.slice(slash + 1) };
}
