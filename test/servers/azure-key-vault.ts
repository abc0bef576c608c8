import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { type Certificate, makeCertificate, Tenant } from "./azure-kv-auth.js";
import { KvError, type KvSecret, type KvVersion, VaultModel } from "./azure-kv-model.js";
import { closeServer } from "./close-server.js";

/**
 * A loopback Key Vault (HTTPS, self-signed) speaking the secrets REST API the SDK uses:
 * `PUT/GET /secrets/{name}[/{version}]?api-version=…`, `GET /secrets` with `nextLink` paging,
 * `/deletedsecrets` (get, list, recover, purge), Key Vault's error bodies `{"error":{"code","message"}}`,
 * 409 for names held by soft-deleted secrets and 429 with Retry-After. Requests without a token get
 * the 401 challenge (`WWW-Authenticate: Bearer authorization="…", resource="…"`); tokens come from
 * the same server acting as the Entra tenant (AZURE_AUTHORITY_HOST).
 */
export interface AzureServerOptions {
  /** Requests (any secret operation) allowed per window before 429 + Retry-After. */
  throttle?: { limit: number; windowMs: number; retryAfterSeconds: number } | undefined;
  /** Page size of list calls, whatever maxresults asks. */
  pageSize?: number;
}

export interface AzureServer {
  readonly url: string;
  readonly tenant: Tenant;
  readonly certificate: Certificate;
  readonly model: VaultModel;
  readonly counts: Record<string, number>;
  readonly stats: { requests: number; throttled: number; challenged: number; tokens: number };
  setOptions(patch: Partial<AzureServerOptions>): void;
  stop(): Promise<void>;
}

const API_VERSION = /^(7\.[4-9]|20\d\d-\d\d-\d\d)(-preview)?$/;

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "x-ms-keyvault-service-version": "1.9.0.0", ...headers }).end(text);
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startAzureServer(initial: AzureServerOptions = {}): Promise<AzureServer> {
  let options: AzureServerOptions = { pageSize: 25, ...initial };
  const certificate = makeCertificate();
  const tenant = new Tenant();
  const model = new VaultModel();
  const counts: Record<string, number> = {};
  const stats = { requests: 0, throttled: 0, challenged: 0, tokens: 0 };
  const recent: number[] = [];
  let base = "";

  const attributes = (v: KvVersion) => ({ enabled: true, created: v.created, updated: v.created, recoveryLevel: "Recoverable+Purgeable", recoverableDays: 90 });
  const latest = (s: KvSecret) => s.versions.at(-1) as KvVersion;
  const bundle = (s: KvSecret, v: KvVersion, value: boolean) => ({
    ...(value ? { value: v.value } : {}),
    id: `${base}/secrets/${s.name}/${v.id}`,
    attributes: attributes(v),
    tags: v.tags,
    ...(v.contentType ? { contentType: v.contentType } : {}),
  });
  const item = (s: KvSecret) => ({ id: `${base}/secrets/${s.name}`, attributes: attributes(latest(s)), tags: latest(s).tags });
  const deletedPart = (s: KvSecret) => ({
    recoveryId: `${base}/deletedsecrets/${s.name}`,
    deletedDate: s.deleted?.date,
    scheduledPurgeDate: s.deleted?.purgeDate,
  });
  const page = (all: unknown[], url: URL, path: string) => {
    const size = Math.min(Number(url.searchParams.get("maxresults") || 25), options.pageSize ?? 25);
    const start = Number(url.searchParams.get("$skiptoken") || 0);
    const next =
      start + size < all.length ? `${base}${path}?api-version=${url.searchParams.get("api-version")}&$skiptoken=${start + size}&maxresults=${size}` : null;
    return { value: all.slice(start, start + size), nextLink: next };
  };
  const live = () => [...model.secrets.values()].filter((s) => !s.deleted);
  const deleted = () => [...model.secrets.values()].filter((s) => s.deleted);

  function routes(method: string, parts: string[], url: URL, body: Record<string, unknown>): [string, () => [number, unknown?]] {
    const [collection, name, extra] = parts;
    const key = `${method} ${collection}${name === undefined ? "" : "/n"}${extra === undefined ? "" : `/${extra === "versions" || extra === "recover" ? extra : "v"}`}`;
    const table: Record<string, [string, () => [number, unknown?]]> = {
      "GET secrets": ["GetSecrets", () => [200, page(live().map(item), url, "/secrets")]],
      "GET secrets/n": ["GetSecret", () => ((r) => [200, bundle(r.secret, r.version, true)])(model.version(name ?? "", undefined))],
      "GET secrets/n/v": ["GetSecret", () => ((r) => [200, bundle(r.secret, r.version, true)])(model.version(name ?? "", extra))],
      "GET secrets/n/versions": [
        "GetSecretVersions",
        () =>
          ((s) => [
            200,
            page(
              s.versions.map((v) => ({ id: `${base}/secrets/${s.name}/${v.id}`, attributes: attributes(v), tags: v.tags })),
              url,
              `/secrets/${s.name}/versions`,
            ),
          ])(model.live(name ?? "")),
      ],
      "PATCH secrets/n/v": ["UpdateSecret", () => ((r) => [200, bundle(r.secret, r.version, false)])(model.updateTags(name ?? "", extra ?? "", body.tags))],
      "PUT secrets/n": ["SetSecret", () => ((r) => [200, bundle(r.secret, r.version, true)])(model.set(name ?? "", body.value, body.tags, body.contentType))],
      "DELETE secrets/n": ["DeleteSecret", () => ((s) => [200, { ...bundle(s, latest(s), false), ...deletedPart(s) }])(model.remove(name ?? "", 90))],
      "GET deletedsecrets": [
        "GetDeletedSecrets",
        () => [
          200,
          page(
            deleted().map((s) => ({ ...item(s), ...deletedPart(s) })),
            url,
            "/deletedsecrets",
          ),
        ],
      ],
      "GET deletedsecrets/n": ["GetDeletedSecret", () => ((s) => [200, { ...bundle(s, latest(s), false), ...deletedPart(s) }])(model.deletedOne(name ?? ""))],
      "POST deletedsecrets/n/recover": ["RecoverDeletedSecret", () => ((s) => [200, bundle(s, latest(s), false)])(model.recover(name ?? ""))],
      "DELETE deletedsecrets/n": ["PurgeDeletedSecret", () => (model.purge(name ?? ""), [204])],
    };
    const route = table[key];
    if (!route) throw new KvError(404, "NotFound", `The requested resource ${url.pathname} was not found.`);
    return route;
  }

  function throttled(): boolean {
    const t = options.throttle;
    if (!t) return false;
    const now = performance.now();
    while ((recent[0] ?? now) <= now - t.windowMs) recent.shift();
    if (recent.length >= t.limit) return true;
    recent.push(now);
    return false;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.requests++;
    const url = new URL(req.url ?? "/", base);
    const text = await readText(req);
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    if (parts[0] === tenant.id) {
      if (url.pathname.endsWith("/v2.0/.well-known/openid-configuration")) return send(res, 200, tenant.openidConfiguration(base));
      if (req.method === "POST" && url.pathname.endsWith("/oauth2/v2.0/token")) {
        const out = tenant.token(new URLSearchParams(text));
        if (out.status === 200) stats.tokens++;
        return send(res, out.status, out.body);
      }
      return send(res, 404, { error: "not_found" });
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (token === undefined || !tenant.tokens.has(token)) {
      stats.challenged++;
      const challenge = `Bearer authorization="${base}/${tenant.id}", resource="https://vault.azure.net"`;
      const message = token === undefined ? "AKV10000: Request is missing a Bearer or PoP token." : "AKV10032: Invalid issuer.";
      return send(res, 401, { error: { code: "Unauthorized", message } }, { "WWW-Authenticate": challenge });
    }
    try {
      if (!API_VERSION.test(url.searchParams.get("api-version") ?? ""))
        throw new KvError(400, "BadParameter", "The api-version parameter is missing or not supported.");
      const body = text.trim() === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
      const [op, run] = routes(req.method ?? "GET", parts, url, body);
      counts[op] = (counts[op] ?? 0) + 1;
      if (throttled()) {
        stats.throttled++;
        const retryAfter = String(options.throttle?.retryAfterSeconds ?? 1);
        return send(
          res,
          429,
          { error: { code: "Throttled", message: "Request was not processed because too many requests were received. Reason: A" } },
          { "Retry-After": retryAfter },
        );
      }
      const [status, out] = run();
      send(res, status, out);
    } catch (e) {
      const err = e instanceof KvError ? e : new KvError(500, "InternalServerError", String(e));
      send(res, err.http, { error: { code: err.code, message: err.message, ...(err.inner ? { innererror: { code: err.inner } } : {}) } });
    }
  }

  const server = createServer({ cert: certificate.cert, key: certificate.key }, (req, res) => {
    handle(req, res).catch((e) => send(res, 500, { error: { code: "InternalServerError", message: String(e) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    tenant,
    certificate,
    model,
    counts,
    stats,
    setOptions: (patch) => {
      options = { ...options, ...patch };
    },
    stop: () => closeServer(server),
  };
}
