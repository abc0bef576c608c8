import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { closeServer } from "./close-server.js";
import { SecretStoreModel } from "./kubernetes-secrets.js";
import { badRequest, forbidden, type Reply, status, unauthorized } from "./kubernetes-status.js";
import { type WireState, WriteLog } from "./wire-writes.js";

export type Verb = "get" | "list" | "create" | "update" | "patch" | "delete";

export interface TokenGrant {
  readonly user: string;
  /** RBAC verbs on secrets this token has; all when omitted. */
  readonly verbs?: readonly Verb[];
}

export interface KubernetesServerOptions {
  /** Bearer tokens the server accepts; default one token with every verb. */
  readonly tokens?: Record<string, TokenGrant>;
  readonly namespaces?: readonly string[];
}

export interface RequestInfo {
  readonly verb: Verb;
  readonly namespace: string;
  readonly name?: string;
}

/**
 * `snapshot()`: `{ "<namespace>/<name>": { labels, annotations, resourceVersion, data } }` with the
 * data decoded to UTF-8; `writes` counts create, update, patch and delete requests.
 */
export interface KubernetesServer extends WireState {
  readonly url: string;
  readonly token: string;
  readonly secrets: SecretStoreModel;
  /** Requests handled per verb (after authentication and authorisation). */
  readonly counts: Record<Verb, number>;
  /** Runs before each authorised write: a test can change the Secret underneath a client here. */
  beforeWrite: ((info: RequestInfo) => void) | undefined;
  stop(): Promise<void>;
}

const ROUTE = /^\/api\/v1\/namespaces\/([^/]+)\/secrets(?:\/([^/]+))?\/?$/;
const LABEL_TERM = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/;

/** `a=b,c!=d,e`: the equality subset of label selectors. */
function selector(text: string | null): (labels: Record<string, string>) => boolean {
  const terms = (text ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
  return (labels) =>
    terms.every((t) => {
      const m = LABEL_TERM.exec(t);
      if (!m) return t.startsWith("!") ? labels[t.slice(1)] === undefined : labels[t] !== undefined;
      const [, key = "", op, value] = m;
      return op === "!=" ? labels[key.trim()] !== value : labels[key.trim()] === value;
    });
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, { "Content-Type": "application/json", "Cache-Control": "no-cache, private" }).end(JSON.stringify(reply.body));
}

/**
 * A loopback Kubernetes API server for core/v1 Secrets: GET/LIST/POST/PUT/PATCH (merge patch)
 * /DELETE under /api/v1/namespaces/{ns}/secrets, base64 data, resourceVersion conflicts, Status
 * objects for every failure (404 NotFound, 409 Conflict/AlreadyExists, 422 Invalid, 401, 403),
 * bearer-token authentication and per-verb RBAC.
 */
export async function startKubernetesServer(options: KubernetesServerOptions = {}): Promise<KubernetesServer> {
  const token = "secretshift-test-token";
  const tokens = options.tokens ?? { [token]: { user: "system:serviceaccount:secretshift-test:migrator" } };
  const secrets = new SecretStoreModel(new Set(options.namespaces ?? ["default", "secretshift-test"]));
  const counts: Record<Verb, number> = { get: 0, list: 0, create: 0, update: 0, patch: 0, delete: 0 };
  const writes = new WriteLog();

  const handle = async (req: IncomingMessage): Promise<Reply> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const grant = tokens[/^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? ""];
    if (!grant) return unauthorized();
    const m = ROUTE.exec(url.pathname);
    if (!m) return status(404, "NotFound", "the server could not find the requested resource");
    const namespace = decodeURIComponent(m[1] ?? "");
    const name = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
    const verbs: Record<string, Verb | undefined> = name ? { GET: "get", PUT: "update", PATCH: "patch", DELETE: "delete" } : { GET: "list", POST: "create" };
    const verb = verbs[req.method ?? ""];
    if (!verb) return status(405, "MethodNotAllowed", `the server does not allow this method on the requested resource`);
    if (grant.verbs && !grant.verbs.includes(verb)) return forbidden(grant.user, verb, namespace, name);
    counts[verb]++;
    const patchType = (req.headers["content-type"] ?? "").split(";")[0]?.trim();
    if (verb === "patch" && patchType !== "application/merge-patch+json" && patchType !== "application/strategic-merge-patch+json") {
      return status(
        415,
        "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/strategic-merge-patch+json",
      );
    }
    const body = await readBody(req);
    if (body === undefined)
      return badRequest("the body of the request was in an unknown format - accepted media types include: application/json, application/yaml");
    if (verb !== "get" && verb !== "list") server.beforeWrite?.({ verb, namespace, ...(name ? { name } : {}) });
    switch (verb) {
      case "get":
        return secrets.get(namespace, name as string);
      case "list":
        return secrets.list(namespace, selector(url.searchParams.get("labelSelector")));
      case "create":
        return secrets.create(namespace, body);
      case "update":
        return secrets.replace(namespace, name as string, body);
      case "delete":
        return secrets.remove(namespace, name as string, body);
      case "patch":
        return secrets.patch(namespace, name as string, body);
    }
  };

  const isWrite = (req: IncomingMessage) => ["POST", "PUT", "PATCH", "DELETE"].includes(req.method ?? "") && ROUTE.test(req.url?.split("?")[0] ?? "");
  const http = createServer((req, res) => {
    const reply = (r: Reply) => {
      if (isWrite(req)) writes.handled();
      send(res, r);
    };
    handle(req).then(reply, (error: unknown) => reply(status(500, "InternalError", `Internal error occurred: ${(error as Error).message}`)));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  const server: KubernetesServer = {
    url: `http://127.0.0.1:${port}`,
    token: Object.keys(tokens)[0] ?? token,
    secrets,
    counts,
    get writes() {
      return writes.count;
    },
    onWrite: (n, fn) => writes.onWrite(n, fn),
    snapshot: () =>
      Object.fromEntries(
        secrets.all().map((s) => [
          `${s.metadata.namespace}/${s.metadata.name}`,
          {
            labels: s.metadata.labels ?? {},
            annotations: s.metadata.annotations ?? {},
            resourceVersion: s.metadata.resourceVersion,
            data: Object.fromEntries(Object.entries(s.data).map(([k, b64]) => [k, Buffer.from(b64, "base64").toString("utf8")])),
          },
        ]),
      ),
    beforeWrite: undefined,
    stop: () => closeServer(http),
  };
  return server;
}
