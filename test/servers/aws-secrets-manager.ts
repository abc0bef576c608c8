import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ListingLog } from "./aws-sm-listing.js";
import { AwsError, SecretsModel } from "./aws-sm-model.js";
import { type OpContext, operations, WRITE_OPS } from "./aws-sm-ops.js";
import { closeServer } from "./close-server.js";
import { type WireState, WriteLog } from "./wire-writes.js";

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
  /** ListSecrets (and BatchGetSecretValue with Filters) sees the state of this long ago: eventual consistency. */
  listingLagMs?: number;
  /** ForceDeleteWithoutRecovery completes this long after the request; meanwhile the name is marked for deletion. */
  asyncDeleteMs?: number;
  /** CreateSecret on an existing name is always ResourceExistsException, even with a matching token and value. */
  strictCreate?: boolean;
  /** The server's clock (epoch ms): dates it stamps, listing lag, deletions finishing. */
  now?: () => number;
}

/**
 * The service as its documentation describes it rather than as a client would hope: a listing five
 * seconds behind, force deletion finishing 1.5 s later, no second chance for a CreateSecret.
 */
export const FAITHFUL_AWS: AwsServerOptions = { listingLagMs: 5000, asyncDeleteMs: 1500, strictCreate: true };

export interface Quota {
  perSecond: number;
  burst?: number;
}

export interface VersionView {
  id: string;
  stages: string[];
  value: string | undefined;
}

/**
 * `snapshot()`: `{ [name]: { arn, deletedDate?, forceDeleted?, tags, versions: [{ id, value, stages }] } }`,
 * oldest version first; `writes`/`onWrite` count the mutating operations (WRITE_OPS).
 */
export interface AwsServer extends WireState {
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

export async function startAwsServer(initial: AwsServerOptions = {}): Promise<AwsServer> {
  let options: AwsServerOptions = { ...initial };
  const model = new SecretsModel(options.region ?? "us-east-1");
  let writeBucket = options.writeQuota && new Bucket(options.writeQuota);
  let readBucket = options.readQuota && new Bucket(options.readQuota);
  const counts: Record<string, number> = {};
  const stats = { requests: 0, throttled: 0, faults: 0 };
  const writes = new WriteLog();
  const listing = new ListingLog();
  let throttleDebt = 0;

  /** Background work due by now: force deletions that finished leave the listing too. */
  const settle = (now: number) => {
    for (const name of model.sweep(now)) listing.record(name, undefined, now);
  };

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
    const answer = (status: number, output: unknown) => {
      if (WRITE_OPS.has(op)) writes.handled();
      send(res, status, output);
    };
    const fail = (e: AwsError) => answer(e.status, { __type: e.type, message: e.message });
    if (faulty && fault.kind === "500") return fail(new AwsError("InternalServiceError", "An error occurred on the server side.", 500));

    const auth = String(req.headers.authorization ?? "");
    if (req.method !== "POST" || req.url !== "/") return fail(new AwsError("UnknownOperationException", "Only POST / is supported."));
    if (!auth) return fail(new AwsError("UnrecognizedClientException", "Missing Authentication Token"));
    const keyId = /Credential=([^/]+)\//.exec(auth)?.[1];
    if (options.accessKeys && (!keyId || !options.accessKeys.includes(keyId))) {
      return fail(new AwsError("UnrecognizedClientException", "The security token included in the request is invalid."));
    }
    const handler = Object.hasOwn(operations, op) ? operations[op] : undefined;
    if (!handler) return fail(new AwsError("UnknownOperationException", `Unknown operation ${target}`));
    if (throttled(op)) {
      stats.throttled++;
      return fail(new AwsError("ThrottlingException", "Rate exceeded"));
    }

    let input: Record<string, unknown>;
    try {
      input = body ? JSON.parse(body) : {};
    } catch {
      return fail(new AwsError("SerializationException", "Request body is not valid JSON."));
    }
    try {
      const id = String(input.SecretId ?? input.Name ?? "*");
      authorize(op, id);
      const now = new Date(options.now?.() ?? Date.now());
      settle(now.getTime());
      const ctx: OpContext = {
        model,
        now,
        authorize,
        listed: () => listing.view(model.secrets.values(), now.getTime(), options.listingLagMs ?? 0),
        asyncDeleteMs: options.asyncDeleteMs ?? 0,
        strictCreate: options.strictCreate ?? false,
      };
      const name = id === "*" ? undefined : (model.find(id)?.name ?? id);
      const output = handler(input, ctx);
      if (name !== undefined && WRITE_OPS.has(op)) listing.record(name, model.find(name), now.getTime());
      if (faulty && fault.kind === "reset-after") {
        if (WRITE_OPS.has(op)) writes.handled();
        return void req.socket.destroy();
      }
      answer(200, output);
    } catch (e) {
      if (e instanceof AwsError) return fail(e);
      fail(new AwsError("InternalServiceError", "An error occurred on the server side.", 500));
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
    get writes() {
      return writes.count;
    },
    onWrite: (n, fn) => writes.onWrite(n, fn),
    snapshot() {
      settle(options.now?.() ?? Date.now());
      return Object.fromEntries(
        [...model.secrets.values()].map((s) => [
          s.name,
          {
            arn: s.arn,
            ...(s.deletedDate ? { deletedDate: s.deletedDate.toISOString(), forceDeleted: s.purgeAt !== undefined } : {}),
            tags: Object.fromEntries(s.tags),
            versions: [...s.versions.values()].map((v) => ({ id: v.id, value: v.string ?? v.binary, stages: [...v.stages].sort() })),
          },
        ]),
      );
    },
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
