import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { AwsError, SecretsModel } from "./aws-sm-model.js";
import { type OpContext, operations, WRITE_OPS } from "./aws-sm-ops.js";
import { closeServer } from "./close-server.js";

/**
 * A loopback AWS Secrets Manager speaking the JSON 1.1 protocol the SDK uses, with the service's
 * rules on versions and labels, and knobs for quotas, latency and faults. It checks that a request
 * is signed (an Authorization header) but not the signature itself.
 */
export interface AwsServerOptions {
  region?: string;
  /** Token bucket shared by the mutating operations (AWS: 50/s for Put/Update/Stage). */
  writeQuota?: Quota | undefined;
  readQuota?: Quota | undefined;
  latencyMs?: number;
  /** Every `every`th request fails: HTTP 500, a reset before handling, or a reset after handling it. */
  fault?: { every: number; kind: "500" | "reset" | "reset-after" } | undefined;
  /** Share of requests (0–1, spread evenly) answered ThrottlingException regardless of quotas. */
  throttleFraction?: number;
  /** "Op", "Op:secret-name" or "*:secret-name" → AccessDeniedException. */
  denied?: string[];
  /** When set, any other access key id is refused as an invalid security token. */
  accessKeys?: string[];
  maxVersions?: number;
}

export interface Quota {
  perSecond: number;
  burst?: number;
}

export interface VersionView {
  id: string;
  stages: string[];
  value: string | undefined;
}

export interface AwsServer {
  readonly url: string;
  readonly state: SecretsModel;
  /** Requests received per operation (throttled and failed ones included). */
  readonly counts: Record<string, number>;
  readonly stats: { requests: number; throttled: number; faults: number };
  /** Every stored version of a secret (deprecated ones too), oldest first. */
  versions(name: string): VersionView[];
  setOptions(patch: Partial<AwsServerOptions>): void;
  resetCounts(): void;
  stop(): Promise<void>;
}

class Bucket {
  private tokens: number;
  private last = performance.now();
  constructor(private readonly quota: Quota) {
    this.tokens = quota.burst ?? quota.perSecond;
  }
  take(): boolean {
    const now = performance.now();
    const capacity = this.quota.burst ?? this.quota.perSecond;
    this.tokens = Math.min(capacity, this.tokens + ((now - this.last) / 1000) * this.quota.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": crypto.randomUUID(), "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

const sendError = (res: ServerResponse, e: AwsError) => send(res, e.status, { __type: e.type, message: e.message });

export async function startAwsServer(initial: AwsServerOptions = {}): Promise<AwsServer> {
  let options: AwsServerOptions = { ...initial };
  const model = new SecretsModel(options.region ?? "us-east-1");
  let writeBucket = options.writeQuota && new Bucket(options.writeQuota);
  let readBucket = options.readQuota && new Bucket(options.readQuota);
  const counts: Record<string, number> = {};
  const stats = { requests: 0, throttled: 0, faults: 0 };
  let throttleDebt = 0;

  const apply = (patch: Partial<AwsServerOptions>) => {
    options = { ...options, ...patch };
    if ("writeQuota" in patch) writeBucket = options.writeQuota && new Bucket(options.writeQuota);
    if ("readQuota" in patch) readBucket = options.readQuota && new Bucket(options.readQuota);
    model.maxVersions = options.maxVersions ?? 100;
  };
  apply({});

  const deniedFor = (op: string, secretId: string): boolean => {
    const name = secretId === "*" ? "*" : (model.find(secretId)?.name ?? secretId);
    return (options.denied ?? []).some((rule) => rule === op || rule === `${op}:${name}` || rule === `*:${name}`);
  };
  const authorize = (op: string, secretId: string) => {
    if (!deniedFor(op, secretId)) return;
    const resource = secretId === "*" ? "*" : secretId;
    throw new AwsError(
      "AccessDeniedException",
      `User: arn:aws:iam::123456789012:user/test is not authorized to perform: secretsmanager:${op} on resource: ${resource} because no identity-based policy allows the secretsmanager:${op} action`,
    );
  };

  const throttled = (op: string): boolean => {
    throttleDebt += options.throttleFraction ?? 0;
    if (throttleDebt >= 1) {
      throttleDebt -= 1;
      return true;
    }
    const bucket = WRITE_OPS.has(op) ? writeBucket : readBucket;
    return bucket !== undefined && !bucket.take();
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const target = String(req.headers["x-amz-target"] ?? "");
    const op = target.startsWith("secretsmanager.") ? target.slice("secretsmanager.".length) : "";
    counts[op] = (counts[op] ?? 0) + 1;
    stats.requests++;
    if (options.latencyMs) await sleep(options.latencyMs);

    const fault = options.fault;
    const faulty = fault !== undefined && fault.every > 0 && stats.requests % fault.every === 0;
    if (faulty) stats.faults++;
    if (faulty && fault.kind === "reset") return void req.socket.destroy();
    if (faulty && fault.kind === "500") return sendError(res, new AwsError("InternalServiceError", "An error occurred on the server side.", 500));

    const auth = String(req.headers.authorization ?? "");
    if (req.method !== "POST" || req.url !== "/") return sendError(res, new AwsError("UnknownOperationException", "Only POST / is supported."));
    if (!auth) return sendError(res, new AwsError("UnrecognizedClientException", "Missing Authentication Token"));
    const keyId = /Credential=([^/]+)\//.exec(auth)?.[1];
    if (options.accessKeys && (!keyId || !options.accessKeys.includes(keyId))) {
      return sendError(res, new AwsError("UnrecognizedClientException", "The security token included in the request is invalid."));
    }
    const handler = Object.hasOwn(operations, op) ? operations[op] : undefined;
    if (!handler) return sendError(res, new AwsError("UnknownOperationException", `Unknown operation ${target}`));
    if (throttled(op)) {
      stats.throttled++;
      return sendError(res, new AwsError("ThrottlingException", "Rate exceeded"));
    }

    let input: Record<string, unknown>;
    try {
      input = body ? JSON.parse(body) : {};
    } catch {
      return sendError(res, new AwsError("SerializationException", "Request body is not valid JSON."));
    }
    try {
      authorize(op, String(input.SecretId ?? input.Name ?? "*"));
      const ctx: OpContext = { model, now: new Date(), authorize };
      const output = handler(input, ctx);
      if (faulty && fault.kind === "reset-after") return void req.socket.destroy();
      send(res, 200, output);
    } catch (e) {
      if (e instanceof AwsError) return sendError(res, e);
      sendError(res, new AwsError("InternalServiceError", "An error occurred on the server side.", 500));
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    state: model,
    counts,
    stats,
    versions(name) {
      const s = model.find(name);
      return s ? [...s.versions.values()].map((v) => ({ id: v.id, stages: [...v.stages], value: v.string ?? v.binary })) : [];
    },
    setOptions: apply,
    resetCounts() {
      for (const k of Object.keys(counts)) delete counts[k];
      Object.assign(stats, { requests: 0, throttled: 0, faults: 0 });
    },
    stop: () => closeServer(server),
  };
}
