import { ConflictError } from "../types.js";
import type { K8sCaller } from "./call.js";
import type { WireSecret } from "./client.js";
import { isStatus } from "./errors.js";

export const MANAGED_BY = { "app.kubernetes.io/managed-by": "secretshift" } as const;
export const CREATED_BY_RUN = "secretshift.io/created-by-run";
export const LAST_RUN = "secretshift.io/last-run";

interface Snapshot {
  readonly raw: WireSecret | undefined;
  readonly data: ReadonlyMap<string, string>;
}

interface Pending {
  readonly set: Map<string, string>;
  readonly remove: Set<string>;
  runId: string;
  /** Delete the Secret when it ends up empty and this run created it. */
  dropIfEmptyFor?: string;
}

export const encode = (value: string) => Buffer.from(value, "utf8").toString("base64");
export const decode = (b64: string) => Buffer.from(b64, "base64").toString("utf8");
export const decodedBytes = (b64: string) => Buffer.from(b64, "base64").length;

/** Each Secret read once (every write is conditioned on that resourceVersion) and written in one request; untouched keys go back byte for byte. */
export class SecretBook {
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly pending = new Map<string, Pending>();
  private readonly loading = new Map<string, Promise<void>>();

  constructor(private readonly caller: K8sCaller) {}

  load(name: string): Promise<void> {
    if (this.snapshots.has(name)) return Promise.resolve();
    let loading = this.loading.get(name);
    if (!loading) {
      loading = this.caller
        .call("get", name, (api) => api.read(this.caller.namespace, name))
        .then((raw) => this.remember(name, raw))
        .finally(() => this.loading.delete(name));
      this.loading.set(name, loading);
    }
    return loading;
  }

  remember(name: string, raw: WireSecret | undefined): void {
    this.snapshots.set(name, { raw, data: new Map(Object.entries(raw?.data ?? {})) });
  }

  exists(name: string): boolean {
    return this.snapshots.get(name)?.raw !== undefined;
  }

  current(name: string): Map<string, string> {
    const data = new Map(this.snapshots.get(name)?.data ?? []);
    const p = this.pending.get(name);
    for (const key of p?.remove ?? []) data.delete(key);
    for (const [key, value] of p?.set ?? []) data.set(key, value);
    return data;
  }

  stage(name: string, runId: string, change: { set?: [string, string]; remove?: string; dropIfEmptyFor?: string }): void {
    const p: Pending = this.pending.get(name) ?? { set: new Map(), remove: new Set(), runId };
    p.runId = runId;
    if (change.set) {
      p.remove.delete(change.set[0]);
      p.set.set(...change.set);
    }
    if (change.remove !== undefined) {
      p.set.delete(change.remove);
      p.remove.add(change.remove);
    }
    if (change.dropIfEmptyFor) p.dropIfEmptyFor = change.dropIfEmptyFor;
    this.pending.set(name, p);
  }

  discard(name: string): void {
    this.pending.delete(name);
  }

  async flushAll(): Promise<void> {
    for (const name of [...this.pending.keys()]) await this.flush(name);
  }

  async flush(name: string): Promise<void> {
    const p = this.pending.get(name);
    if (!p) return;
    const raw = this.snapshots.get(name)?.raw;
    const data = Object.fromEntries(this.current(name));
    const ns = this.caller.namespace;
    const where = `Secret "${name}" in namespace "${ns}"`;
    let written: WireSecret | undefined;
    try {
      if (!raw) {
        if (Object.keys(data).length === 0) return void this.pending.delete(name);
        const body = {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name, namespace: ns, labels: { ...MANAGED_BY }, annotations: { [CREATED_BY_RUN]: p.runId, [LAST_RUN]: p.runId } },
          type: "Opaque",
          data,
        };
        written = await this.caller.call("create", name, (api) => api.create(ns, body), [409]);
      } else if (Object.keys(data).length === 0 && p.dropIfEmptyFor !== undefined && raw.metadata?.annotations?.[CREATED_BY_RUN] === p.dropIfEmptyFor) {
        await this.caller.call("delete", name, (api) => api.remove(ns, name, raw.metadata?.resourceVersion ?? ""), [404, 409]);
      } else {
        const { managedFields: _, ...metadata } = raw.metadata ?? {};
        const body = { ...raw, metadata: { ...metadata, annotations: { ...metadata.annotations, [LAST_RUN]: p.runId } }, data };
        written = await this.caller.call("update", name, (api) => api.replace(ns, name, body), [404, 409]);
      }
    } catch (error) {
      if (isStatus(error, 409) && !raw) throw new ConflictError(name, `${where} was created by someone else since it was read`);
      if (isStatus(error, 409)) throw new ConflictError(name, `${where} changed since it was read (resourceVersion ${raw?.metadata?.resourceVersion ?? "?"})`);
      if (isStatus(error, 404)) throw new ConflictError(name, `${where} was deleted since it was read`);
      throw error;
    }
    this.remember(name, written);
    this.pending.delete(name);
  }
}
