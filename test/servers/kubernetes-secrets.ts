import { randomUUID } from "node:crypto";
import {
  alreadyExists,
  badRequest,
  type Cause,
  conflict,
  invalid,
  namespaceNotFound,
  notFound,
  preconditionConflict,
  type Reply,
  status,
} from "./kubernetes-status.js";

/** A stored Secret, as the API server returns it (data base64). */
export interface StoredSecret {
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion: string;
    creationTimestamp: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  type: string;
  data: Record<string, string>;
  immutable?: boolean;
}

type Json = Record<string, unknown>;

const MAX_SECRET_SIZE = 1024 * 1024;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const wire = (s: StoredSecret) => ({ kind: "Secret", apiVersion: "v1", ...structuredClone(s) });

/** apimachinery's ValidateSecret: the name, each key (IsConfigMapKey), and the decoded total against MaxSecretSize. */
function validate(name: string, data: Record<string, string>): Cause[] {
  const causes: Cause[] = [];
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    causes.push({
      field: "metadata.name",
      message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
    });
  }
  let total = 0;
  for (const [key, b64] of Object.entries(data)) {
    if (key.length > 253 || !CONFIG_KEY.test(key) || key === "." || key === ".." || key.startsWith("..")) {
      causes.push({ field: `data[${key}]`, message: `Invalid value: "${key}": a valid config key must consist of alphanumeric characters, '-', '_' or '.'` });
    }
    total += Buffer.from(b64, "base64").length;
  }
  if (total > MAX_SECRET_SIZE) causes.push({ field: "data", message: `Too long: may not be more than ${MAX_SECRET_SIZE} bytes` });
  return causes;
}

/** `data` (base64, checked) with `stringData` merged over it, as the API server does on write. */
function dataOf(body: Json): { data: Record<string, string> } | { reply: Reply } {
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(isObject(body.data) ? body.data : {})) {
    if (v === null) continue;
    if (typeof v !== "string" || !BASE64.test(v))
      return { reply: badRequest(`Secret in version "v1" cannot be handled as a Secret: illegal base64 data at data[${k}]`) };
    data[k] = v;
  }
  for (const [k, v] of Object.entries(isObject(body.stringData) ? body.stringData : {})) data[k] = Buffer.from(String(v), "utf8").toString("base64");
  return { data };
}

const stringMap = (v: unknown) => (isObject(v) ? (Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) as Record<string, string>) : undefined);

/** RFC 7386 JSON merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Json = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** core/v1 Secrets of every namespace, with a cluster-wide resourceVersion counter. */
export class SecretStoreModel {
  private rv = 1000;
  private readonly secrets = new Map<string, StoredSecret>();

  constructor(readonly namespaces: Set<string>) {}

  private id = (ns: string, name: string) => `${ns}/${name}`;

  /** Every Secret of every namespace, copied. */
  all(): StoredSecret[] {
    return [...this.secrets.values()].map((s) => structuredClone(s));
  }

  peek(ns: string, name: string): StoredSecret | undefined {
    const s = this.secrets.get(this.id(ns, name));
    return s && structuredClone(s);
  }

  get(ns: string, name: string): Reply {
    const s = this.secrets.get(this.id(ns, name));
    return s ? { status: 200, body: wire(s) } : notFound(name);
  }

  list(ns: string, matches: (labels: Record<string, string>) => boolean): Reply {
    const items = [...this.secrets.values()]
      .filter((s) => s.metadata.namespace === ns && matches(s.metadata.labels ?? {}))
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    return {
      status: 200,
      body: { kind: "SecretList", apiVersion: "v1", metadata: { resourceVersion: String(this.rv) }, items: items.map((s) => structuredClone(s)) },
    };
  }

  create(ns: string, body: Json): Reply {
    const meta = isObject(body.metadata) ? body.metadata : {};
    const name = String(meta.name ?? "");
    if (!this.namespaces.has(ns)) return namespaceNotFound(ns);
    const parsed = dataOf(body);
    if ("reply" in parsed) return parsed.reply;
    const { data } = parsed;
    const causes = validate(name, data);
    if (causes.length) return invalid(name, causes);
    if (this.secrets.has(this.id(ns, name))) return alreadyExists(name);
    const s: StoredSecret = {
      metadata: {
        name,
        namespace: ns,
        uid: randomUUID(),
        resourceVersion: String(++this.rv),
        creationTimestamp: new Date().toISOString(),
        labels: stringMap(meta.labels),
        annotations: stringMap(meta.annotations),
      },
      type: typeof body.type === "string" && body.type !== "" ? body.type : "Opaque",
      data,
      ...(body.immutable === true ? { immutable: true } : {}),
    };
    this.secrets.set(this.id(ns, name), s);
    return { status: 201, body: wire(s) };
  }

  /** PUT: a compare-and-set when the body carries metadata.resourceVersion, unconditional otherwise. */
  replace(ns: string, name: string, body: Json): Reply {
    const meta = isObject(body.metadata) ? body.metadata : {};
    if (meta.name !== undefined && meta.name !== name)
      return badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`);
    const old = this.secrets.get(this.id(ns, name));
    if (!old) return notFound(name);
    if (typeof meta.resourceVersion === "string" && meta.resourceVersion !== "" && meta.resourceVersion !== old.metadata.resourceVersion) return conflict(name);
    const parsed = dataOf(body);
    if ("reply" in parsed) return parsed.reply;
    return this.store(old, { labels: stringMap(meta.labels), annotations: stringMap(meta.annotations) }, parsed.data, body.type);
  }

  /** application/merge-patch+json; a resourceVersion in the patch is a precondition. */
  patch(ns: string, name: string, patch: Json): Reply {
    const old = this.secrets.get(this.id(ns, name));
    if (!old) return notFound(name);
    const rv = isObject(patch.metadata) ? patch.metadata.resourceVersion : undefined;
    if (typeof rv === "string" && rv !== old.metadata.resourceVersion) return conflict(name);
    const merged = mergePatch(wire(old), patch) as Json;
    const meta = isObject(merged.metadata) ? merged.metadata : {};
    const parsed = dataOf({ data: merged.data, stringData: patch.stringData });
    if ("reply" in parsed) return parsed.reply;
    return this.store(old, { labels: stringMap(meta.labels), annotations: stringMap(meta.annotations) }, parsed.data, merged.type);
  }

  private store(
    old: StoredSecret,
    meta: { labels?: Record<string, string>; annotations?: Record<string, string> },
    data: Record<string, string>,
    type: unknown,
  ): Reply {
    const { name } = old.metadata;
    const causes = validate(name, data);
    if (old.immutable && JSON.stringify(data) !== JSON.stringify(old.data))
      causes.push({ field: "data", message: "Forbidden: field is immutable when `immutable` is set" });
    if (typeof type === "string" && type !== "" && type !== old.type) causes.push({ field: "type", message: `Invalid value: "${type}": field is immutable` });
    if (causes.length) return invalid(name, causes);
    const s: StoredSecret = { ...old, metadata: { ...old.metadata, ...meta, resourceVersion: String(++this.rv) }, data };
    this.secrets.set(this.id(old.metadata.namespace, name), s);
    return { status: 200, body: wire(s) };
  }

  remove(ns: string, name: string, options: Json): Reply {
    const old = this.secrets.get(this.id(ns, name));
    if (!old) return notFound(name);
    const pre = isObject(options.preconditions) ? options.preconditions : {};
    if (typeof pre.resourceVersion === "string" && pre.resourceVersion !== old.metadata.resourceVersion)
      return preconditionConflict(name, pre.resourceVersion, old.metadata.resourceVersion);
    if (typeof pre.uid === "string" && pre.uid !== old.metadata.uid)
      return status(409, "Conflict", `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`, {
        name,
        kind: "secrets",
      });
    this.secrets.delete(this.id(ns, name));
    return status(200, "", "", { name, kind: "secrets", uid: old.metadata.uid });
  }
}
