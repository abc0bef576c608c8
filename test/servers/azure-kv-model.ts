import { randomBytes } from "node:crypto";

/** An error the vault answers with: `{"error":{"code","message"}}`. */
export class KvError extends Error {
  constructor(
    readonly http: number,
    readonly code: string,
    message: string,
    readonly inner?: string,
  ) {
    super(message);
  }
}

export interface KvVersion {
  readonly id: string;
  readonly value: string;
  tags: Record<string, string>;
  contentType: string | undefined;
  /** A disabled version keeps its value but no get returns it (403 SecretDisabled). */
  enabled: boolean;
  readonly created: number;
  updated: number;
}

export interface KvSecret {
  /** As first created: names compare case-insensitively but keep their case. */
  readonly name: string;
  readonly versions: KvVersion[];
  deleted: { date: number; purgeDate: number } | undefined;
  /** A delete, purge or recover the vault is still carrying out (until `until`, epoch ms). */
  pending?: { state: "deleting" | "purging" | "recovering"; until: number } | undefined;
}

type Pending = NonNullable<KvSecret["pending"]>["state"];

const NAME = /^[0-9a-zA-Z-]{1,127}$/;
const MAX_VALUE = 25 * 1024;
const now = () => Math.floor(Date.now() / 1000);

const notFound = (name: string, version?: string) =>
  new KvError(
    404,
    "SecretNotFound",
    `A secret with (name/id) ${version ? `${name}/${version}` : name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
  );

/** The 409 Key Vault answers while a delete or purge (ObjectIsBeingDeleted) or a recover (ObjectIsBeingRecovered) runs. */
const busy = (s: KvSecret, state: Pending) =>
  state === "recovering"
    ? new KvError(409, "Conflict", `Secret ${s.name} is currently being recovered and cannot be re-created; retry later.`, "ObjectIsBeingRecovered")
    : new KvError(409, "Conflict", `Secret ${s.name} is currently being deleted and cannot be re-created; retry later.`, "ObjectIsBeingDeleted");

/**
 * One vault's secrets with Key Vault's rules: case-insensitive names, versions, soft delete, recover,
 * purge. With `asyncMs` > 0, delete, purge and recover finish that long after the request, as the
 * service's do ("Azure Key Vault will return a DeletedSecret immediately but may take time to actually
 * delete the secret", SDK reference; delete and recover are long-running operations the SDK polls):
 * meanwhile the name reads as absent (404 on get and get-deleted) and a set, purge or recover is
 * refused with 409 ObjectIsBeingDeleted / ObjectIsBeingRecovered ("…cannot be re-created; retry later").
 */
export class VaultModel {
  readonly secrets = new Map<string, KvSecret>();
  asyncMs = 0;
  clock: () => number = Date.now;

  /** Finishes the background work due by `nowMs`. */
  settle(nowMs: number): void {
    for (const s of [...this.secrets.values()]) {
      if (!s.pending || s.pending.until > nowMs) continue;
      if (s.pending.state === "purging") this.secrets.delete(s.name.toLowerCase());
      if (s.pending.state === "recovering") s.deleted = undefined;
      s.pending = undefined;
    }
  }

  private later(s: KvSecret, state: Pending, done: () => void): void {
    if (this.asyncMs > 0) s.pending = { state, until: this.clock() + this.asyncMs };
    else done();
  }

  private find(name: string): KvSecret | undefined {
    if (!NAME.test(name)) throw new KvError(400, "BadParameter", `The request URI contains an invalid name: ${name}`);
    return this.secrets.get(name.toLowerCase());
  }

  live(name: string): KvSecret {
    const s = this.find(name);
    if (!s || s.deleted) throw notFound(name);
    return s;
  }

  deletedOne(name: string): KvSecret {
    const s = this.find(name);
    if (!s?.deleted || s.pending) throw new KvError(404, "SecretNotFound", `Deleted Secret not found: ${name}`);
    return s;
  }

  /** A soft-deleted secret to purge or recover: 409 while an earlier operation on it still runs. */
  private settled(name: string): KvSecret {
    const s = this.find(name);
    if (s?.pending) throw busy(s, s.pending.state);
    return this.deletedOne(name);
  }

  set(name: string, value: unknown, tags: unknown, contentType: unknown, enabled = true): { secret: KvSecret; version: KvVersion } {
    if (typeof value !== "string") throw new KvError(400, "BadParameter", "Property value is required.");
    if (Buffer.byteLength(value) > MAX_VALUE) throw new KvError(400, "BadParameter", "Secret value is too large. The maximum allowed size is 25 KB.");
    const existing = this.find(name);
    if (existing?.pending) throw busy(existing, existing.pending.state);
    if (existing?.deleted) {
      throw new KvError(
        409,
        "Conflict",
        `Secret ${existing.name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.`,
        "ObjectIsDeletedButRecoverable",
      );
    }
    const secret = existing ?? { name, versions: [], deleted: undefined };
    const version: KvVersion = {
      id: randomBytes(16).toString("hex"),
      value,
      tags: checkTags(tags ?? {}),
      contentType: contentType as string | undefined,
      enabled,
      created: now(),
      updated: now(),
    };
    secret.versions.push(version);
    this.secrets.set(name.toLowerCase(), secret);
    return { secret, version };
  }

  version(name: string, id: string | undefined): { secret: KvSecret; version: KvVersion } {
    const secret = this.live(name);
    const version = id ? secret.versions.find((v) => v.id === id) : secret.versions.at(-1);
    if (!version) throw notFound(name, id);
    return { secret, version };
  }

  /** What `get` returns: the version, unless it is disabled. */
  readable(name: string, id: string | undefined): { secret: KvSecret; version: KvVersion } {
    const found = this.version(name, id);
    if (!found.version.enabled) throw new KvError(403, "Forbidden", "Operation get is not allowed on a disabled secret.", "SecretDisabled");
    return found;
  }

  /** UpdateSecret (PATCH of one version): attributes.enabled, tags (replaced whole) and contentType, each when given. */
  update(name: string, id: string, body: Record<string, unknown>): { secret: KvSecret; version: KvVersion } {
    const found = this.version(name, id);
    const { version } = found;
    const enabled = (body.attributes as { enabled?: unknown } | undefined)?.enabled;
    if (typeof enabled === "boolean") version.enabled = enabled;
    if (body.tags !== undefined && body.tags !== null) version.tags = checkTags(body.tags);
    if (typeof body.contentType === "string") version.contentType = body.contentType;
    version.updated = now();
    return found;
  }

  remove(name: string, retentionDays: number): KvSecret {
    const s = this.live(name);
    s.deleted = { date: now(), purgeDate: now() + retentionDays * 86_400 };
    this.later(s, "deleting", () => {});
    return s;
  }

  recover(name: string): KvSecret {
    const s = this.settled(name);
    this.later(s, "recovering", () => {
      s.deleted = undefined;
    });
    return s;
  }

  purge(name: string): void {
    const s = this.settled(name);
    this.later(s, "purging", () => this.secrets.delete(s.name.toLowerCase()));
  }
}

/** Key Vault allows at most 15 tags on a secret version. */
function checkTags(tags: unknown): Record<string, string> {
  const next = { ...(tags as Record<string, string>) };
  if (Object.keys(next).length > 15) throw new KvError(400, "BadParameter", "The number of tags exceeds the maximum of 15.");
  return next;
}
