import { AdaptiveLimiter } from "../../core/adaptive-limiter.js";
import type { CliError } from "../../core/errors.js";
import type { ProviderContext } from "../shared/context.js";
import { countCalls } from "../shared/count-calls.js";
import { isPendingName, RESERVED_PENDING } from "../shared/pending-names.js";
import {
  type AnchorStore,
  ConflictError,
  type CurrentSecret,
  type NameCheck,
  type ProviderStats,
  type RevertOp,
  type RevertOutcome,
  type SecretStore,
  type WriteOp,
  type WriteResult,
} from "../types.js";
import { gcpAnchor } from "./anchor.js";
import { createGcpApi, type GcpClientConfig, REQUESTS, type SecretManagerApi } from "./client.js";
import { isThrottle, statusOf, toCliError } from "./errors.js";
import { checkGcpName, fromSecretId, toSecretId } from "./names.js";
import { GcpReader } from "./read.js";
import { revertGcp } from "./revert.js";
import { GcpRotation } from "./rotation.js";
import { resolveGcpSettings } from "./settings.js";

export const MANAGED_LABELS = { "managed-by": "secretshift" };
/** 600 writes (create, add version, disable, delete) a minute per project. */
const WRITES_PER_SECOND = 10;

export class GcpStore implements SecretStore {
  readonly name = "gcp" as const;
  readonly batched = false;
  readonly versioned = true;
  readonly defaultConcurrency = 4;
  readonly stats: ProviderStats = { apiCalls: 0 };
  readonly rotation: GcpRotation;
  private readonly api: SecretManagerApi;
  private readonly writes: AdaptiveLimiter;
  private readonly reader: GcpReader;
  private readonly endpoint: string | undefined;
  readonly anchor: AnchorStore;

  constructor(api: SecretManagerApi, settings: Pick<GcpClientConfig, "endpoint">, ctx: Pick<ProviderContext, "concurrency" | "onEvent">) {
    this.api = countCalls(api, REQUESTS, () => this.stats.apiCalls++);
    this.endpoint = settings.endpoint?.href;
    const onThrottle = (retryInMs: number) => ctx.onEvent({ type: "throttled", retryInMs });
    this.writes = new AdaptiveLimiter({
      maxConcurrency: ctx.concurrency ?? this.defaultConcurrency,
      maxRate: WRITES_PER_SECOND,
      isThrottle,
      onThrottle,
      maxDelayMs: 30_000,
    });
    const reads = new AdaptiveLimiter({ maxConcurrency: 8, isThrottle, onThrottle });
    this.reader = new GcpReader(this.api, reads, this.endpoint);
    this.rotation = new GcpRotation({ api: this.api, reader: this.reader, writes: this.writes, endpoint: this.endpoint });
    this.anchor = gcpAnchor(this.api, this.endpoint);
  }

  checkName(name: string): NameCheck {
    return isPendingName(name) ? { stored: toSecretId(name), invalid: RESERVED_PENDING } : checkGcpName(name);
  }

  checkValue(value: string): string | undefined {
    if (value.length === 0) return "GCP secret versions cannot be empty";
    if (Buffer.byteLength(value, "utf8") > 65_536) return "GCP secret versions hold at most 64 KiB";
    return undefined;
  }

  async connect(): Promise<void> {
    await this.api.check().catch((e) => {
      throw toCliError(e, { op: "connect", endpoint: this.endpoint });
    });
  }

  async readMany(names: readonly string[]): Promise<Map<string, CurrentSecret>> {
    const out = new Map<string, CurrentSecret>();
    await Promise.all(
      names
        .filter((n) => !checkGcpName(n).invalid)
        .map(async (name) => {
          const current = await this.reader.current(toSecretId(name));
          if (current) out.set(name, { name, value: current.value, version: current.number });
        }),
    );
    return out;
  }

  async list(prefix: string): Promise<string[]> {
    const ids = await this.reader.ids(toSecretId(prefix));
    return ids.map(fromSecretId).filter((n) => n.startsWith(prefix) && !isPendingName(n));
  }

  write(op: WriteOp): Promise<WriteResult> {
    return op.kind === "create" ? this.create(op) : this.update(op);
  }

  private async create(op: WriteOp): Promise<WriteResult> {
    const id = toSecretId(op.name);
    try {
      await this.writes.run(() => this.api.createSecret(id, MANAGED_LABELS));
    } catch (e) {
      if (statusOf(e) !== "ALREADY_EXISTS") throw this.fail(e, "CreateSecret", op);
      const current = await this.reader.current(id);
      // An earlier attempt of this write went through.
      if (current?.value === op.value) return { version: current.number };
      if (current) throw new ConflictError(op.name, `${op.name} already exists in GCP Secret Manager`);
      const meta = await this.reader.secret(id);
      if (meta?.labels["managed-by"] !== MANAGED_LABELS["managed-by"]) {
        throw new ConflictError(op.name, `${op.name} already exists in GCP Secret Manager (with no enabled version)`);
      }
      // Created by an interrupted run before its first version: finish it.
    }
    return this.add(op);
  }

  /** AddSecretVersion takes no etag: the newest enabled version is checked right before. */
  private async update(op: WriteOp): Promise<WriteResult> {
    const current = await this.reader.current(toSecretId(op.name));
    if (!current) throw new ConflictError(op.name, `${op.name} no longer has an enabled version in GCP Secret Manager`);
    if (op.expectedVersion !== undefined && current.number !== op.expectedVersion) {
      if (current.value === op.value) return { version: current.number };
      throw new ConflictError(op.name, `${op.name} changed in GCP Secret Manager after it was read`);
    }
    return this.add(op);
  }

  private async add(op: WriteOp): Promise<WriteResult> {
    try {
      const version = await this.writes.run(() => this.api.addVersion(toSecretId(op.name), Buffer.from(op.value, "utf8")));
      return { version: version.number };
    } catch (e) {
      if (statusOf(e) === "NOT_FOUND") throw new ConflictError(op.name, `${op.name} no longer exists in GCP Secret Manager`);
      throw this.fail(e, "AddSecretVersion", op);
    }
  }

  revert(op: RevertOp): Promise<RevertOutcome> {
    return revertGcp({ api: this.api, reader: this.reader, writes: this.writes, endpoint: this.endpoint }, op);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    await this.api.close();
  }

  private fail(e: unknown, op: string, w: WriteOp): CliError {
    return toCliError(e, { op, name: w.name, value: w.value, endpoint: this.endpoint });
  }
}

export async function createGcpStore(ctx: ProviderContext): Promise<SecretStore> {
  const settings = resolveGcpSettings(ctx);
  return new GcpStore(await createGcpApi(settings), settings, ctx);
}
