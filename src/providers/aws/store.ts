import { AdaptiveLimiter } from "../../core/adaptive-limiter.js";
import type { CliError } from "../../core/errors.js";
import type { ProviderContext } from "../shared/context.js";
import { countCalls } from "../shared/count-calls.js";
import { type Settling, untilSettled } from "../shared/settling.js";
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
import { awsAnchor } from "./anchor.js";
import { createSdkApi, REQUESTS, type SecretsManagerApi } from "./client.js";
import { errorName, isThrottle, toCliError } from "./errors.js";
import { checkAwsName, requestToken } from "./names.js";
import { AwsReader, RESTORE_HINT } from "./read.js";
import { revertAws } from "./revert.js";
import { AwsRotation } from "./rotation.js";
import { type AwsSettings, resolveAwsSettings } from "./settings.js";

const MANAGED_TAG = { Key: "managed-by", Value: "secretshift" };

export class AwsStore implements SecretStore {
  readonly name = "aws" as const;
  readonly batched = false;
  readonly versioned = true;
  /**
   * A cap on connections, not the pace: the write limiter finds the account's quota (50 Put/Update/Stage
   * calls a second by default, raised on request) by growing the rate until throttled, and 32 in
   * flight leave room to reach a 200/s quota at ~100 ms per call.
   */
  readonly defaultConcurrency = 32;
  readonly stats: ProviderStats = { apiCalls: 0 };
  private readonly api: SecretsManagerApi;
  private readonly writes: AdaptiveLimiter;
  private readonly reader: AwsReader;
  readonly rotation: AwsRotation;
  readonly anchor: AnchorStore;

  constructor(
    api: SecretsManagerApi,
    private readonly settings: AwsSettings,
    private readonly ctx: Pick<ProviderContext, "concurrency" | "onEvent" | "clock">,
  ) {
    this.api = countCalls(api, REQUESTS, () => this.stats.apiCalls++);
    const onThrottle = (retryInMs: number) => ctx.onEvent({ type: "throttled", retryInMs });
    this.writes = new AdaptiveLimiter({ maxConcurrency: ctx.concurrency ?? this.defaultConcurrency, isThrottle, onThrottle });
    // Reads have their own, larger quotas (ListSecrets/BatchGet 100/s, Describe 40,000/s).
    const reads = new AdaptiveLimiter({ maxConcurrency: 8, isThrottle, onThrottle });
    this.reader = new AwsReader(this.api, reads, settings.endpoint, () => ctx.clock.now());
    this.rotation = new AwsRotation({ api: this.api, writes: this.writes, reads, endpoint: settings.endpoint });
    this.anchor = awsAnchor(this.api, settings.endpoint);
  }

  checkName(name: string): NameCheck {
    return checkAwsName(name);
  }

  checkValue(value: string): string | undefined {
    if (value.length === 0) return "AWS secret values cannot be empty";
    if (Buffer.byteLength(value, "utf8") > 65_536) return "AWS secret values are at most 65,536 bytes";
    return undefined;
  }

  /** Credentials and region resolve here; the first read, before any write, proves them. */
  async connect(): Promise<void> {
    await this.api.check().catch((e) => {
      throw toCliError(e, { op: "connect", endpoint: this.settings.endpoint });
    });
  }

  readMany(names: readonly string[]): Promise<Map<string, CurrentSecret>> {
    return this.reader.readMany(names);
  }

  /** ListSecrets is eventually consistent: what it shows is never taken as a secret's state. */
  list(prefix: string): Promise<string[]> {
    return this.reader.names(prefix);
  }

  async write(op: WriteOp): Promise<WriteResult> {
    const token = requestToken(op.runId, op.name);
    return op.kind === "create" ? this.create(op, token) : this.update(op, token);
  }

  nextVersion(op: WriteOp): string {
    return requestToken(op.runId, op.name);
  }

  private create(op: WriteOp, token: string): Promise<WriteResult> {
    const gaveUp = () => new ConflictError(op.name, `${op.name} is still being deleted in AWS Secrets Manager; run again in a few minutes`);
    return untilSettled(() => this.tryCreate(op, token), this.settling(op.name), gaveUp);
  }

  private async tryCreate(op: WriteOp, token: string): Promise<WriteResult | undefined> {
    const { kmsKeyId, description } = this.settings;
    try {
      const out = await this.writes.run(() =>
        this.api.createSecret({
          Name: op.name,
          SecretString: op.value,
          ClientRequestToken: token,
          Tags: [MANAGED_TAG],
          KmsKeyId: kmsKeyId,
          Description: description,
        }),
      );
      return { version: out.VersionId ?? token };
    } catch (e) {
      const type = errorName(e);
      if (type === "ResourceExistsException") return this.alreadyThere(op, token);
      if (type !== "InvalidRequestException") throw this.fail(e, "CreateSecret", op);
      // "already scheduled for deletion": gone by now, going (wait), or in its recovery window.
      const state = await this.reader.describe(op.name);
      if (!state || state.going) return undefined;
      if (state.deleted) return this.onDeleted(op, token);
      throw this.fail(e, "CreateSecret", op);
    }
  }

  /** The name is taken: our lost attempt (done), or someone since the plan (a conflict to re-plan). */
  private async alreadyThere(op: WriteOp, token: string): Promise<WriteResult | undefined> {
    const state = await this.reader.describe(op.name);
    if (!state) return undefined;
    if (state.current === token) return { version: token };
    if (state.deleted) return state.going ? undefined : this.onDeleted(op, token);
    const now = (await this.reader.readMany([op.name])).get(op.name);
    if (now && !now.deleted && now.value === op.value) return { version: now.version };
    throw new ConflictError(op.name, `${op.name} was created in AWS Secrets Manager with another value after it was read; run again to re-plan it`);
  }

  private settling(name: string): Settling {
    const reason = `${name} is still being deleted by AWS`;
    return { clock: this.ctx.clock, onWait: (retryInMs) => this.ctx.onEvent({ type: "retry", reason, retryInMs }) };
  }

  private async update(op: WriteOp, token: string): Promise<WriteResult> {
    // AWS has no compare-and-set on PutSecretValue; DescribeSecret (40,000/s quota) narrows the window.
    if (op.expectedVersion !== undefined || this.settings.restoreDeleted) {
      const state = await this.reader.describe(op.name);
      if (!state) throw new ConflictError(op.name, `${op.name} no longer exists in AWS Secrets Manager`);
      if (state.going) throw new ConflictError(op.name, `${op.name} is being deleted in AWS Secrets Manager`);
      if (state.deleted) return this.onDeleted(op, token);
      if (state.current === token) return { version: token };
      if (op.expectedVersion !== undefined && state.current !== op.expectedVersion) {
        throw new ConflictError(op.name, `${op.name} changed in AWS Secrets Manager after it was read`);
      }
    }
    return this.put(op, token);
  }

  private async put(op: WriteOp, token: string): Promise<WriteResult> {
    try {
      const out = await this.writes.run(() => this.api.putSecretValue({ SecretId: op.name, SecretString: op.value, ClientRequestToken: token }));
      return { version: out.VersionId ?? token };
    } catch (e) {
      const type = errorName(e);
      if (type === "ResourceNotFoundException") throw new ConflictError(op.name, `${op.name} no longer exists in AWS Secrets Manager`);
      if (type === "InvalidRequestException") throw new ConflictError(op.name, `${op.name} is scheduled for deletion in AWS Secrets Manager`);
      if (type === "ResourceExistsException") throw new ConflictError(op.name, `${op.name} already has a different version from this run`);
      throw this.fail(e, "PutSecretValue", op);
    }
  }

  private async onDeleted(op: WriteOp, token: string): Promise<WriteResult> {
    if (!this.settings.restoreDeleted) {
      throw new ConflictError(op.name, `${op.name} is scheduled for deletion in AWS Secrets Manager (${RESTORE_HINT})`);
    }
    await this.writes
      .run(() => this.api.restoreSecret({ SecretId: op.name }))
      .catch((e) => {
        throw this.fail(e, "RestoreSecret", op);
      });
    return this.put(op, token);
  }

  revert(op: RevertOp): Promise<RevertOutcome> {
    const { endpoint, recoveryWindow } = this.settings;
    return revertAws({ api: this.api, reader: this.reader, writes: this.writes, endpoint, recoveryWindow }, op);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.api.destroy();
  }

  private fail(e: unknown, op: string, w: WriteOp): CliError {
    return toCliError(e, { op, name: w.name, value: w.value, endpoint: this.settings.endpoint });
  }
}

export async function createAwsStore(ctx: ProviderContext): Promise<SecretStore> {
  const settings = resolveAwsSettings(ctx);
  return new AwsStore(await createSdkApi(settings), settings, ctx);
}
