import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { closeServer } from "./close-server.js";
import { denied, fail, type Reply, readJson, send, startListMethodProxy } from "./vault-http.js";
import { type Capability, KvV1Engine } from "./vault-kv1.js";
import { KvV2Engine } from "./vault-kv2.js";
import { vaultSnapshot } from "./vault-snapshot.js";
import { findMount, type MountTable, policyMatch, statusRoute, sysRoute } from "./vault-sys.js";
import { TokenStore } from "./vault-tokens.js";
import { type WireState, WriteLog } from "./wire-writes.js";

/** Deny `capabilities` (all when omitted) on `path`: a Vault policy path, `*` suffix glob and `+` segment allowed. */
export interface DenyRule {
  readonly path: string;
  readonly capabilities?: readonly Capability[];
}

/**
 * Answer the next `times` (default: every) matching request with `status`, or cut the connection
 * (`destroy`), before handling it or, with `after`, once it has been handled (an ambiguous failure).
 */
export interface Fault {
  readonly path?: string | RegExp;
  readonly method?: string;
  readonly status?: number;
  readonly errors?: string[];
  times?: number;
  readonly destroy?: boolean;
  readonly after?: boolean;
}

export interface VaultServerOptions {
  readonly kv2Mount?: string;
  readonly kv1Mount?: string;
  readonly rootToken?: string;
  readonly approleMount?: string;
  /** When set, every request must carry this `X-Vault-Namespace`. */
  readonly namespace?: string;
  /** Seconds, for AppRole tokens. */
  readonly tokenTtl?: number;
  readonly tokenMaxTtl?: number;
  readonly casRequired?: boolean;
  readonly maxVersions?: number;
  readonly deny?: readonly DenyRule[];
  /** Rate-limit quota: at most `requests` per `intervalMs` window, then 429. */
  readonly rateLimit?: { readonly requests: number; readonly intervalMs: number };
  readonly sealed?: boolean;
  readonly faults?: Fault[];
  /** The server's clock (token TTLs, quota windows), epoch ms. */
  readonly now?: () => number;
  /** Fixed delay before each request is handled, as a remote Vault would add. */
  readonly latencyMs?: number;
}

export interface RequestLog {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly namespace?: string;
  /** The ACL capability the request needed on `path`, once its token was accepted. */
  readonly capability?: Capability;
}

/**
 * `snapshot()`: `{ "<mount>/<path>": { kv: 2, current, custom_metadata, versions: { n: { data, deleted,
 * destroyed } } } | { kv: 1, data } }` (vault-snapshot.ts); `writes` counts every
 * POST/PUT/PATCH/DELETE on a KV mount.
 */
export interface VaultServer extends WireState {
  readonly url: string;
  readonly rootToken: string;
  readonly approle: { readonly roleId: string; readonly secretId: string; readonly mount: string };
  readonly kv2: KvV2Engine;
  readonly kv1: KvV1Engine;
  readonly mounts: { readonly kv2: string; readonly kv1: string };
  /** Per-operation request counters (`kv2.data.write`, `auth.approle.login`, `status.429`, `total`…). */
  readonly counts: Record<string, number>;
  readonly log: RequestLog[];
  readonly tokens: TokenStore;
  setOptions(patch: Partial<VaultServerOptions>): void;
  resetCounts(): void;
  stop(): Promise<void>;
}

/** Pseudo status of a fault that cuts the connection instead of answering. */
const DESTROY = -1;

export async function startVaultServer(initial: VaultServerOptions = {}): Promise<VaultServer> {
  let opts: VaultServerOptions = { ...initial };
  const now = () => opts.now?.() ?? Date.now();
  const mounts = { kv2: initial.kv2Mount ?? "secret", kv1: initial.kv1Mount ?? "kv" };
  const kv2 = new KvV2Engine(() => new Date(now()));
  const kv1 = new KvV1Engine();
  const applyEngineConfig = () => {
    if (opts.casRequired !== undefined) kv2.config.cas_required = opts.casRequired;
    if (opts.maxVersions !== undefined) kv2.config.max_versions = opts.maxVersions;
  };
  applyEngineConfig();
  const tokens = new TokenStore(now);
  const rootToken = opts.rootToken ?? `hvs.root-${randomUUID()}`;
  tokens.issue({ id: rootToken, policies: ["root"], ttl: 0, renewable: false, path: "auth/token/root" });
  const approle = { roleId: randomUUID(), secretId: randomUUID(), mount: opts.approleMount ?? "approle" };
  const counts: Record<string, number> = {};
  const log: RequestLog[] = [];
  const count = (name: string) => {
    counts[name] = (counts[name] ?? 0) + 1;
  };
  const writes = new WriteLog();
  /** The ACL capability the request being handled needs (set once it is authenticated). */
  let asked: Capability | undefined;
  let window = { start: 0, used: 0 };
  const engines: MountTable = [
    [mounts.kv2, kv2],
    [mounts.kv1, kv1],
  ];
  function route(method: string, path: string, list: boolean, req: IncomingMessage, body: Record<string, unknown>): Reply {
    const fault = (opts.faults ?? []).find((f) => (f.times ?? 1) > 0 && (!f.method || f.method === method) && matches(f.path, path));
    if (fault) {
      if (fault.times !== undefined) fault.times--;
      count(`fault.${fault.status ?? "destroy"}`);
      if (fault.after) {
        handleRequest(method, path, list, req, body);
        return { status: DESTROY };
      }
      if (fault.destroy) return { status: DESTROY };
      return fail(fault.status ?? 500, ...(fault.errors ?? ["internal error"]));
    }
    return handleRequest(method, path, list, req, body);
  }

  function handleRequest(method: string, path: string, list: boolean, req: IncomingMessage, body: Record<string, unknown>): Reply {
    const reply = serve(method, path, list, req, body);
    if (!list && method !== "GET" && findMount(engines, path)) writes.handled();
    return reply;
  }

  function serve(method: string, path: string, list: boolean, req: IncomingMessage, body: Record<string, unknown>): Reply {
    const status = statusRoute(path, !!opts.sealed);
    if (status) return status;
    if (opts.sealed) return fail(503, "Vault is sealed");
    if (opts.rateLimit) {
      const t = now();
      if (t - window.start >= opts.rateLimit.intervalMs) window = { start: t, used: 0 };
      if (++window.used > opts.rateLimit.requests) {
        const retryAfter = Math.max(1, Math.ceil((window.start + opts.rateLimit.intervalMs - t) / 1000));
        return { ...fail(429, `request path "${path}": rate limit quota exceeded`), headers: { "Retry-After": String(retryAfter) } };
      }
    }
    const ns = header(req, "x-vault-namespace").replace(/^\/+|\/+$/g, "");
    if (ns !== (opts.namespace ?? "").replace(/^\/+|\/+$/g, "")) return denied;

    if (path === `auth/${approle.mount}/login` && (method === "POST" || method === "PUT")) {
      count("auth.approle.login");
      return tokens.approleLogin(approle, body, { ttl: opts.tokenTtl ?? 3600, maxTtl: opts.tokenMaxTtl ?? 24 * 3600 });
    }
    const token = tokens.get(header(req, "x-vault-token"));
    if (!token) return denied;

    const mount = findMount(engines, path);
    const rest = mount ? path.slice(mount[0].length + 1) : "";
    const writeCap = mount && !mount[1].exists(rest) ? "create" : "update";
    const capability: Capability = list ? "list" : (({ GET: "read", DELETE: "delete", PATCH: "patch" } as Record<string, Capability>)[method] ?? writeCap);
    asked = capability;
    if ((opts.deny ?? []).some((d) => policyMatch(d.path, path) && (!d.capabilities || d.capabilities.includes(capability)))) {
      count("denied");
      return denied;
    }
    if (path === "auth/token/lookup-self" || (path === "auth/token/renew-self" && method !== "GET")) {
      count(path.replaceAll("/", "."));
      return path.endsWith("lookup-self") ? tokens.lookupReply(token) : tokens.renew(token, body.increment);
    }
    const sys = sysRoute(path, method, engines, count);
    if (sys) return sys;
    if (mount) {
      const engine = mount[1];
      const engineReq = { method, rest, list, query: new URL(req.url ?? "/", "http://x").searchParams, body, contentType: header(req, "content-type") };
      count(`kv${engine.version}.${engine.opName(engineReq)}`);
      return engine.handle(engineReq);
    }
    return fail(404, `no handler for route "${path}". route entry not found.`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const parsed = await readJson(req);
    if (opts.latencyMs) await new Promise((resolve) => setTimeout(resolve, opts.latencyMs));
    count("total");
    if (header(req, "x-original-method") === "LIST") count("verb.LIST");
    const method = (req.method ?? "GET").toUpperCase();
    const list = method === "LIST" || (method === "GET" && ["true", "1"].includes(url.searchParams.get("list") ?? ""));
    const path = decodeURIComponent(url.pathname).replace(/^\/v1\/+/, "");
    asked = undefined;
    const reply = !url.pathname.startsWith("/v1/") ? fail(404) : parsed.ok ? route(method, path, list, req, parsed.value) : parsed.reply;
    if (reply.status === DESTROY) {
      req.socket.destroy();
      return;
    }
    count(`status.${reply.status}`);
    const ns = header(req, "x-vault-namespace");
    log.push({ method: list ? "LIST" : method, path, status: reply.status, ...(ns ? { namespace: ns } : {}), ...(asked ? { capability: asked } : {}) });
    send(res, reply);
  }

  const http = createServer((req, res) => {
    handle(req, res).catch(() => send(res, fail(500, "internal error")));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const address = http.address();
  const proxy = await startListMethodProxy(typeof address === "object" && address ? address.port : 0);

  return {
    url: `http://127.0.0.1:${proxy.port}`,
    rootToken,
    approle,
    kv2,
    kv1,
    mounts,
    counts,
    log,
    tokens,
    get writes() {
      return writes.count;
    },
    onWrite: (n, fn) => writes.onWrite(n, fn),
    snapshot: () => vaultSnapshot(mounts, kv2, kv1),
    setOptions(patch) {
      opts = { ...opts, ...patch };
      applyEngineConfig();
    },
    resetCounts() {
      for (const k of Object.keys(counts)) delete counts[k];
      log.length = 0;
    },
    async stop() {
      await proxy.close();
      await closeServer(http);
    },
  };
}

const header = (req: IncomingMessage, name: string): string => {
  const v = req.headers[name];
  return Array.isArray(v) ? (v[0] ?? "") : (v ?? "");
};

const matches = (pattern: string | RegExp | undefined, path: string): boolean =>
  pattern === undefined ? true : typeof pattern === "string" ? policyMatch(pattern, path) : pattern.test(path);
