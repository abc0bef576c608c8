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
  readonly tags: Record<string, string>;
  readonly contentType: string | undefined;
  readonly created: number;
}

export interface KvSecret {
  /** As first created: names compare case-insensitively but keep their case. */
  readonly name: string;
  readonly versions: KvVersion[];
  deleted: { date: number; purgeDate: number } | undefined;
}

const NAME = /^[0-9a-zA-Z-]{1,127}$/;
const MAX_VALUE = 25 * 1024;
const now = () => Math.floor(Date.now() / 1000);

const notFound = (name: string, version?: string) =>
  new KvError(
    404,
    "SecretNotFound",
    `A secret with (name/id) ${version ? `${name}/${version}` : name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
  );

/** One vault's secrets with Key Vault's rules: case-insensitive names, versions, soft delete, recover, purge. */
export class VaultModel {
  readonly secrets = new Map<string, KvSecret>();

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
    if (!s?.deleted) throw new KvError(404, "SecretNotFound", `Deleted Secret not found: ${name}`);
    return s;
  }

  set(name: string, value: unknown, tags: unknown, contentType: unknown): { secret: KvSecret; version: KvVersion } {
    if (typeof value !== "string") throw new KvError(400, "BadParameter", "Property value is required.");
    if (Buffer.byteLength(value) > MAX_VALUE) throw new KvError(400, "BadParameter", "Secret value is too large. The maximum allowed size is 25 KB.");
    const existing = this.find(name);
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
      tags: { ...((tags as Record<string, string>) ?? {}) },
      contentType: contentType as string | undefined,
      created: now(),
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

  /** UpdateSecret: the version's tags are replaced as a whole (Key Vault allows 15). */
  updateTags(name: string, id: string, tags: unknown): { secret: KvSecret; version: KvVersion } {
    const found = this.version(name, id);
    const next = (tags ?? {}) as Record<string, string>;
    if (Object.keys(next).length > 15) throw new KvError(400, "BadParameter", "The number of tags exceeds the maximum of 15.");
    for (const k of Object.keys(found.version.tags)) delete found.version.tags[k];
    Object.assign(found.version.tags, next);
    return found;
  }

  remove(name: string, retentionDays: number): KvSecret {
    const s = this.live(name);
    s.deleted = { date: now(), purgeDate: now() + retentionDays * 86_400 };
    return s;
  }

  recover(name: string): KvSecret {
    const s = this.deletedOne(name);
    s.deleted = undefined;
    return s;
  }

  purge(name: string): void {
    const s = this.deletedOne(name);
    this.secrets.delete(s.name.toLowerCase());
  }
}
