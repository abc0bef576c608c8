import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { closeServer } from "./close-server.js";
import { jwtProblem, makeServiceAccount, type ServiceAccount } from "./gcp-sm-auth.js";
import { GcpError, SecretManagerModel } from "./gcp-sm-model.js";
import { makeRouter } from "./gcp-sm-routes.js";
import { type WireState, WriteLog } from "./wire-writes.js";

/**
 * A loopback Secret Manager speaking the v1 REST API (the client library's REST transport): secrets,
 * versions, `:access`, `:addVersion`, `:disable`/`:enable`/`:destroy`, annotations and `PATCH` (update mask), paged lists with `pageToken`, error bodies
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

/**
 * `snapshot()`: `{ [secretId]: { labels, versions: [{ number, state, value }] } }`, oldest version
 * first (`latest` is the last, whatever its state); `writes` counts create, add version, disable,
 * enable and delete requests.
 */
export interface GcpServer extends WireState {
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

const WRITES = new Set([
  "CreateSecret",
  "UpdateSecret",
  "DeleteSecret",
  "AddSecretVersion",
  "DisableSecretVersion",
  "EnableSecretVersion",
  "DestroySecretVersion",
]);

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
  const writes = new WriteLog();
  let account: ServiceAccount | undefined;
  const route = makeRouter({ model, projectId, projectNumber, maxPageSize: () => options.maxPageSize ?? 250 });

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

  const server = createServer(async (req, res) => {
    stats.requests++;
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method === "POST" && url.pathname === "/token") return token(req, res);
    let write = false;
    const reply = (status: number, body: unknown) => {
      if (write) writes.handled();
      send(res, status, body);
    };
    try {
      const [method, run] = await route(req, url);
      counts[method] = (counts[method] ?? 0) + 1;
      write = WRITES.has(method);
      authorize(req);
      throttle(method);
      reply(200, await run());
    } catch (e) {
      const err = e instanceof GcpError ? e : new GcpError(500, "INTERNAL", String(e));
      reply(err.http, { error: { code: err.http, message: err.message, status: err.status } });
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
    get writes() {
      return writes.count;
    },
    onWrite: (n, fn) => writes.onWrite(n, fn),
    snapshot: () =>
      Object.fromEntries(
        [...model.secrets.values()].map((s) => [
          s.id,
          { labels: { ...s.labels }, versions: s.versions.map((v) => ({ number: v.number, state: v.state, value: v.data?.toString("utf8") })) },
        ]),
      ),
    setOptions: (patch) => {
      options = { ...options, ...patch };
    },
    stop: () => closeServer(server),
  };
}
