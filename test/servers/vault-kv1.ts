import { fail, multiError, noContent, notFound, ok, type Reply } from "./vault-http.js";

export type Capability = "create" | "read" | "update" | "patch" | "delete" | "list" | "sudo";

/** One request as a secrets engine sees it: the path below its mount, LIST already folded into `list`. */
export interface EngineRequest {
  readonly method: string;
  readonly rest: string;
  readonly list: boolean;
  readonly query: URLSearchParams;
  readonly body: Record<string, unknown>;
  readonly contentType: string;
}

export interface Engine {
  readonly version: 1 | 2;
  /** Decides create vs update for a POST, as Vault's ExistenceCheck does. */
  exists(rest: string): boolean;
  /** Counter name for this request (`data.write`, `metadata.list`, …). */
  opName(req: EngineRequest): string;
  handle(req: EngineRequest): Reply;
}

export const unsupported = (): Reply => fail(405, multiError(["unsupported operation"]));

export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

export const clone = <T>(v: T): T => structuredClone(v);

/**
 * LIST semantics shared by both KV versions: Vault appends the missing trailing slash, returns the
 * direct children (folders end in "/"), sorted, and 404 with no errors when there are none.
 */
export function listKeys(all: Iterable<string>, prefix: string): Reply {
  const dir = prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`;
  const found = new Set<string>();
  for (const key of all) {
    if (!key.startsWith(dir)) continue;
    const rest = key.slice(dir.length);
    const slash = rest.indexOf("/");
    found.add(slash < 0 ? rest : rest.slice(0, slash + 1));
  }
  found.delete("");
  if (found.size === 0) return notFound;
  return ok({ keys: [...found].sort() }, { mount_type: "kv" });
}

const VERBS: Record<string, string> = { GET: "read", POST: "write", PUT: "write", DELETE: "delete", PATCH: "patch" };

/** KV version 1: one JSON object per path, no versions, no metadata. */
export class KvV1Engine implements Engine {
  readonly version = 1 as const;
  readonly entries = new Map<string, Record<string, unknown>>();

  exists(rest: string): boolean {
    return this.entries.has(rest);
  }

  opName(req: EngineRequest): string {
    return req.list ? "list" : (VERBS[req.method] ?? "other");
  }

  handle(req: EngineRequest): Reply {
    if (req.list) return listKeys(this.entries.keys(), req.rest);
    switch (req.method) {
      case "GET": {
        const entry = this.entries.get(req.rest);
        return entry ? ok(clone(entry), { mount_type: "kv" }) : notFound;
      }
      case "POST":
      case "PUT":
        if (req.rest === "") return fail(400, "missing path");
        if (Object.keys(req.body).length === 0) return fail(400, "missing data fields");
        this.entries.set(req.rest, clone(req.body));
        return noContent;
      case "DELETE":
        this.entries.delete(req.rest);
        return noContent;
      default:
        return unsupported();
    }
  }

  /** Test helpers: seed and inspect without going through HTTP. */
  put(path: string, data: Record<string, unknown>): void {
    this.entries.set(path, clone(data));
  }

  get(path: string): Record<string, unknown> | undefined {
    const entry = this.entries.get(path);
    return entry && clone(entry);
  }
}
