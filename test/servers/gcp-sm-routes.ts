import type { IncomingMessage } from "node:http";
import { GcpError, matchesFilter, type SecretManagerModel, STATE_NUMBER, type StoredSecret, type StoredVersion } from "./gcp-sm-model.js";

export interface RouterContext {
  readonly model: SecretManagerModel;
  readonly projectId: string;
  readonly projectNumber: string;
  readonly maxPageSize: () => number;
}

export type Route = (req: IncomingMessage, url: URL) => Promise<[method: string, run: () => Promise<unknown>]>;

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new GcpError(400, "INVALID_ARGUMENT", "Invalid JSON payload received.");
  }
}

/**
 * The v1 REST resources by HTTP rule (`GET /v1/projects/{p}/secrets/{s}/versions/{v}:access`, …), as
 * the REST transport sends them: `$alt=json;enum-encoding=int` asks for enums as numbers.
 */
export function makeRouter({ model, projectId, projectNumber, maxPageSize }: RouterContext): Route {
  const secretJson = (s: StoredSecret) => ({
    name: `projects/${projectNumber}/secrets/${s.id}`,
    replication: { automatic: {} },
    createTime: s.createTime,
    labels: s.labels,
    annotations: s.annotations,
    etag: s.etag,
  });
  const versionJson = (s: StoredSecret, v: StoredVersion, ints: boolean) => ({
    name: `projects/${projectNumber}/secrets/${s.id}/versions/${v.number}`,
    createTime: v.createTime,
    state: ints ? STATE_NUMBER[v.state] : v.state,
    etag: v.etag,
    replicationStatus: { automatic: {} },
    clientSpecifiedPayloadChecksum: false,
  });
  const page = <T>(all: T[], url: URL, key: string) => {
    const size = Math.min(Number(url.searchParams.get("pageSize") || 25_000), maxPageSize());
    const start = Number(url.searchParams.get("pageToken") || 0);
    const items = all.slice(start, start + size);
    const next = start + size < all.length ? String(start + size) : undefined;
    return { [key]: items, ...(next ? { nextPageToken: next } : {}), totalSize: all.length };
  };

  return async function route(req: IncomingMessage, url: URL): Promise<[string, () => Promise<unknown>]> {
    const ints = (url.searchParams.get("$alt") ?? "").includes("enum-encoding=int");
    const now = new Date().toISOString();
    const m = /^\/v1\/projects\/([^/]+)\/secrets(?:\/([^/:]+)(?:\/versions(?:\/([^/:]+))?)?)?(?::(\w+))?$/.exec(url.pathname);
    if (!m) throw new GcpError(404, "NOT_FOUND", `The requested URL ${url.pathname} was not found on this server.`);
    const [, project, rawId, version, verb] = m;
    if (project !== projectId && project !== projectNumber) {
      throw new GcpError(403, "PERMISSION_DENIED", `Permission 'secretmanager.secrets.list' denied for resource 'projects/${project}' (or it may not exist).`);
    }
    const id = rawId === undefined ? undefined : decodeURIComponent(rawId);
    const inVersions = url.pathname.includes("/versions");
    const key = `${req.method} ${id === undefined ? "" : "s"}${inVersions ? "v" : ""}${version === undefined ? "" : "n"}:${verb ?? ""}`;
    const body = req.method === "POST" || req.method === "PATCH" ? await readBody(req) : {};
    const handlers: Record<string, [string, () => unknown]> = {
      "GET :": [
        "ListSecrets",
        () =>
          page([...model.secrets.values()].filter((s) => matchesFilter(url.searchParams.get("filter") ?? "", { name: s.id })).map(secretJson), url, "secrets"),
      ],
      "POST :": ["CreateSecret", () => secretJson(model.create(url.searchParams.get("secretId") ?? "", (body.labels ?? {}) as Record<string, string>, now))],
      "GET s:": ["GetSecret", () => secretJson(model.secret(id ?? ""))],
      "DELETE s:": ["DeleteSecret", () => (model.remove(id ?? "", url.searchParams.get("etag") ?? undefined), {})],
      "PATCH s:": ["UpdateSecret", () => secretJson(model.update(id ?? "", body, (url.searchParams.get("updateMask") ?? "").split(",").filter(Boolean)))],
      "POST s:addVersion": [
        "AddSecretVersion",
        () => {
          const data = Buffer.from(String((body.payload as { data?: string } | undefined)?.data ?? ""), "base64");
          return versionJson(model.secret(id ?? ""), model.addVersion(id ?? "", data, now), ints);
        },
      ],
      "GET sv:": [
        "ListSecretVersions",
        () => {
          const s = model.secret(id ?? "");
          const all = [...s.versions].reverse().filter((v) => matchesFilter(url.searchParams.get("filter") ?? "", { state: v.state, name: String(v.number) }));
          return page(
            all.map((v) => versionJson(s, v, ints)),
            url,
            "versions",
          );
        },
      ],
      "GET svn:": ["GetSecretVersion", () => versionJson(model.secret(id ?? ""), model.version(id ?? "", version ?? ""), ints)],
      "GET svn:access": [
        "AccessSecretVersion",
        () => {
          const v = model.access(id ?? "", version ?? "");
          return { name: `projects/${projectNumber}/secrets/${id}/versions/${v.number}`, payload: { data: (v.data ?? Buffer.alloc(0)).toString("base64") } };
        },
      ],
      "POST svn:disable": [
        "DisableSecretVersion",
        () => versionJson(model.secret(id ?? ""), model.setState(id ?? "", version ?? "", "DISABLED", body.etag as string | undefined), ints),
      ],
      "POST svn:enable": [
        "EnableSecretVersion",
        () => versionJson(model.secret(id ?? ""), model.setState(id ?? "", version ?? "", "ENABLED", body.etag as string | undefined), ints),
      ],
    };
    const handler = handlers[key];
    if (!handler) throw new GcpError(404, "NOT_FOUND", `The requested URL ${url.pathname} was not found on this server.`);
    return [handler[0], async () => handler[1]()];
  };
}
