import { randomBytes, randomUUID } from "node:crypto";

/** An error the server answers with: `{"__type": type, "message": message}` and `status`. */
export class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export interface StoredVersion {
  readonly id: string;
  readonly string?: string;
  /** base64, as on the wire */
  readonly binary?: string;
  readonly created: Date;
  readonly stages: Set<string>;
}

export interface StoredSecret {
  readonly name: string;
  readonly arn: string;
  description?: string;
  kmsKeyId?: string;
  readonly tags: Map<string, string>;
  /** Insertion order is creation order. */
  readonly versions: Map<string, StoredVersion>;
  readonly created: Date;
  lastChanged: Date;
  deletedDate?: Date;
  /** Force-deleted: gone for good at this time (ms); until then it is "marked for deletion". */
  purgeAt?: number;
}

export const CURRENT = "AWSCURRENT";
export const PREVIOUS = "AWSPREVIOUS";
const NAME_CHARS = /^[A-Za-z0-9/_+=.@-]+$/;

export const validationError = (field: string, constraint: string): AwsError =>
  new AwsError("ValidationException", `1 validation error detected: Value at '${field}' failed to satisfy constraint: ${constraint}`);

export function checkSecretName(name: unknown): string {
  if (typeof name !== "string" || name.length === 0) throw validationError("name", "Member must have length greater than or equal to 1");
  if (name.length > 512) throw validationError("name", "Member must have length less than or equal to 512");
  if (!NAME_CHARS.test(name)) {
    throw new AwsError("ValidationException", "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!");
  }
  return name;
}

export interface ValueInput {
  SecretString?: unknown;
  SecretBinary?: unknown;
}

/** The value of a Create/Put request, checked the way the service does. */
export function readValue(input: ValueInput, required: boolean): { string?: string; binary?: string } | undefined {
  const { SecretString: s, SecretBinary: b } = input;
  if (s !== undefined && b !== undefined) {
    throw new AwsError("InvalidParameterException", "You can't specify both a binary secret value and a string secret value in the same secret.");
  }
  if (s === undefined && b === undefined) {
    if (required) throw new AwsError("InvalidParameterException", "You must provide either SecretString or SecretBinary.");
    return undefined;
  }
  if (s !== undefined) {
    if (typeof s !== "string") throw new AwsError("SerializationException", "SecretString must be a string");
    if (Buffer.byteLength(s) > 65536) throw validationError("secretString", "Member must have length less than or equal to 65536");
    if (s.length === 0) throw validationError("secretString", "Member must have length greater than or equal to 1");
    return { string: s };
  }
  if (typeof b !== "string") throw new AwsError("SerializationException", "SecretBinary must be a base64 string");
  const size = Buffer.from(b, "base64").length;
  if (size > 65536 || size === 0) throw validationError("secretBinary", "Member must have length between 1 and 65536");
  return { binary: b };
}

export function checkToken(token: unknown): string {
  if (token === undefined) return randomUUID();
  if (typeof token !== "string" || token.length < 32 || token.length > 64) {
    throw validationError("clientRequestToken", "Member must have length between 32 and 64");
  }
  return token;
}

/** The account's secrets plus the rules on versions and staging labels. */
export class SecretsModel {
  readonly secrets = new Map<string, StoredSecret>();
  /** Versions beyond this many (unlabelled ones older than `pruneAgeMs` are pruned first) → LimitExceededException. */
  maxVersions = 100;
  pruneAgeMs = 24 * 3600_000;

  constructor(
    private readonly region: string,
    private readonly account = "123456789012",
  ) {}

  /** By name, full ARN or partial ARN (without the 6-character suffix). */
  find(id: unknown): StoredSecret | undefined {
    if (typeof id !== "string") throw validationError("secretId", "Member must not be null");
    const direct = this.secrets.get(id);
    if (direct) return direct;
    for (const s of this.secrets.values()) if (s.arn === id || s.arn.slice(0, -7) === id) return s;
    return undefined;
  }

  get(id: unknown): StoredSecret {
    const s = this.find(id);
    if (!s) throw new AwsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
    return s;
  }

  /** Finishes the force deletions whose time has come; returns the names that went. */
  sweep(now: number): string[] {
    const gone = [...this.secrets.values()].filter((s) => s.purgeAt !== undefined && s.purgeAt <= now).map((s) => s.name);
    for (const name of gone) this.secrets.delete(name);
    return gone;
  }

  /** A secret that accepts changes: not scheduled for deletion. */
  live(id: unknown): StoredSecret {
    const s = this.get(id);
    if (s.deletedDate) {
      throw new AwsError("InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion.");
    }
    return s;
  }

  create(name: string, now: Date): StoredSecret {
    const suffix = randomBytes(6).toString("base64url").replace(/[-_]/g, "x").slice(0, 6);
    const arn = `arn:aws:secretsmanager:${this.region}:${this.account}:secret:${name}-${suffix}`;
    const secret: StoredSecret = { name, arn, tags: new Map(), versions: new Map(), created: now, lastChanged: now };
    this.secrets.set(name, secret);
    return secret;
  }

  holder(secret: StoredSecret, stage: string): StoredVersion | undefined {
    for (const v of secret.versions.values()) if (v.stages.has(stage)) return v;
    return undefined;
  }

  /** Attach `stage` to `target`, taking it from whoever holds it; AWSCURRENT leaves AWSPREVIOUS behind. */
  moveStage(secret: StoredSecret, stage: string, target: StoredVersion): void {
    const from = this.holder(secret, stage);
    if (from === target) return;
    from?.stages.delete(stage);
    target.stages.add(stage);
    if (stage === CURRENT && from) {
      this.holder(secret, PREVIOUS)?.stages.delete(PREVIOUS);
      from.stages.add(PREVIOUS);
    }
  }

  /** A new version with `stages` (AWSCURRENT when none, and always on a secret's first version). */
  addVersion(secret: StoredSecret, id: string, value: { string?: string; binary?: string }, stages: readonly string[] | undefined, now: Date): StoredVersion {
    this.prune(secret, now);
    if (secret.versions.size >= this.maxVersions) {
      throw new AwsError("LimitExceededException", "You have exceeded the maximum number of versions for this secret.");
    }
    const version: StoredVersion = { id, ...value, created: now, stages: new Set() };
    const labels = new Set(stages ?? [CURRENT]);
    if (!this.holder(secret, CURRENT)) labels.add(CURRENT);
    secret.versions.set(id, version);
    for (const label of labels) this.moveStage(secret, label, version);
    secret.lastChanged = now;
    return version;
  }

  private prune(secret: StoredSecret, now: Date): void {
    for (const v of secret.versions.values()) {
      if (secret.versions.size < this.maxVersions) return;
      if (v.stages.size === 0 && now.getTime() - v.created.getTime() >= this.pruneAgeMs) secret.versions.delete(v.id);
    }
  }
}

export const sameValue = (v: StoredVersion, value: { string?: string; binary?: string }): boolean => v.string === value.string && v.binary === value.binary;

export const epoch = (d: Date | undefined): number | undefined => (d === undefined ? undefined : d.getTime() / 1000);
