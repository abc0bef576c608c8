import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { jwtProblem, makeServiceAccount, type ServiceAccount } from "./gcp-sm-auth.js";
import { GcpError, matchesFilter, SecretManagerModel, STATE_NUMBER, type StoredSecret, type StoredVersion } from "./gcp-sm-model.js";

/**
 * A loopback Secret Manager speaking the v1 REST API (the client library's REST transport): secrets,
 * versions, `:access`, `:addVersion`, `:disable`/`:enable`, paged lists with `pageToken`, error bodies
 * `{"error":{"code","message","status"}}`. Requests must carry a bearer token: a JWT the service
 * account signed itself (what the library sends for a key file), or one this server's token
 * endpoint issued.
 */
export interface GcpServerOptions {
  projectId?: string;
  /** Writes (create, addVersion, disable, enable, delete) allowed per window; the real quota is 600 a minute. */
  writeQuota?: { limit: number; windowMs: number };
  /** Largest page a list call returns, whatever pageSize asks. */
  maxPageSize?: number;
}

export interface GcpServer {
  readonly url: string;
  readonly projectId: string;
  readonly projectNumber: string;
  readonly account: ServiceAccount;
  readonly model: SecretManagerModel;
  /** Requests per method (`AddSecretVersion`, …), refused ones included. */
  readonly counts: Record<string, number>;
  readonly stats: { requests: number; writes: number; throttled: number; unauthenticated: number };
  setOptions(patch: Partial<GcpServerOptions>): void;
  stop(): Promise<void>;
}

const WRITES = new Set(["CreateSecret", "DeleteSecret", "AddSecretVersion", "DisableSecretVersion", "EnableSecretVersion"]);

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

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=UTF-8", "Content-Length": Buffer.byteLength(text) }).end(text);
}

export async function startGcpServer(initial: GcpServerOptions = {}): Promise<GcpServer> {
  let options: GcpServerOptions = { projectId: "secretshift-test", maxPageSize: 250, ...initial };
  const projectId = options.projectId as string;
  const projectNumber = String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));
  const model = new SecretManagerModel(`projects/${projectNumber}`);
  const counts: Record<string, number> = {};
  const stats = { requests: 0, writes: 0, throttled: 0, unauthenticated: 0 };
  const issued = new Set<string>();
  const writeTimes: number[] = [];
  let account: ServiceAccount | undefined;

  const secretJson = (s: StoredSecret) => ({
    name: `projects/${projectNumber}/secrets/${s.id}`,
    replication: { automatic: {} },
    createTime: s.createTime,
    labels: s.labels,
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
    const size = Math.min(Number(url.searchParams.get("pageSize") || 25_000), options.maxPageSize ?? 250);
    const start = Number(url.searchParams.get("pageToken") || 0);
    const items = all.slice(start, start + size);
    const next = start + size < all.length ? String(start + size) : undefined;
    return { [key]: items, ...(next ? { nextPageToken: next } : {}), totalSize: all.length };
  };

  function authorize(req: IncomingMessage): void {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const ok =
      token !== undefined && account !== undefined && (issued.has(token) || jwtProblem(token, account, account.keyFile.private_key_id ?? "") === undefined);
    if (!ok) {
      stats.unauthenticated++;
      throw new GcpError(
        401,
        "UNAUTHENTICATED",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
      );
    }
  }

  function throttle(method: string): void {
    if (!WRITES.has(method)) return;
    stats.writes++;
    const quota = options.writeQuota ?? { limit: 600, windowMs: 60_000 };
    const now = performance.now();
    while ((writeTimes[0] ?? now) <= now - quota.windowMs) writeTimes.shift();
    if (writeTimes.length >= quota.limit) {
      stats.throttled++;
      throw new GcpError(
        429,
        "RESOURCE_EXHAUSTED",
        `Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute' of service 'secretmanager.googleapis.com' for consumer 'project_number:${projectNumber}'.`,
      );
    }
    writeTimes.push(now);
  }

  /** `POST /token` with a JWT-bearer assertion (the key file's token_uri), for clients that exchange instead of self-signing. */
  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const assertion = new URLSearchParams(Buffer.concat(chunks).toString("utf8")).get("assertion") ?? "";
    if (!account || jwtProblem(assertion, account, account.keyFile.private_key_id ?? "") !== undefined) {
      send(res, 400, { error: "invalid_grant", error_description: "Invalid JWT Signature." });
      return;
    }
    const accessToken = `ya29.${randomBytes(24).toString("base64url")}`;
    issued.add(accessToken);
    send(res, 200, { access_token: accessToken, expires_in: 3599, token_type: "Bearer" });
  }

  async function route(req: IncomingMessage, url: URL): Promise<[string, () => Promise<unknown>]> {
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
    const body = req.method === "POST" ? await readBody(req) : {};
    const handlers: Record<string, [string, () => unknown]> = {
      "GET :": [
        "ListSecrets",
        () =>
          page([...model.secrets.values()].filter((s) => matchesFilter(url.searchParams.get("filter") ?? "", { name: s.id })).map(secretJson), url, "secrets"),
      ],
      "POST :": ["CreateSecret", () => secretJson(model.create(url.searchParams.get("secretId") ?? "", (body.labels ?? {}) as Record<string, string>, now))],
      "GET s:": ["GetSecret", () => secretJson(model.secret(id ?? ""))],
      "DELETE s:": ["DeleteSecret", () => (model.remove(id ?? "", url.searchParams.get("etag") ?? undefined), {})],
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
  }

  const server = createServer(async (req, res) => {
    stats.requests++;
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method === "POST" && url.pathname === "/token") return token(req, res);
    try {
      const [method, run] = await route(req, url);
      counts[method] = (counts[method] ?? 0) + 1;
      authorize(req);
      throttle(method);
      send(res, 200, await run());
    } catch (e) {
      const err = e instanceof GcpError ? e : new GcpError(500, "INTERNAL", String(e));
      send(res, err.http, { error: { code: err.http, message: err.message, status: err.status } });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  account = makeServiceAccount(projectId, `${url}/token`);
  return {
    url,
    projectId,
    projectNumber,
    account,
    model,
    counts,
    stats,
    setOptions: (patch) => {
      options = { ...options, ...patch };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
