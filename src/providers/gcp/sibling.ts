import type { AdaptiveLimiter } from "../../core/adaptive-limiter.js";
import { pendingNameOf } from "../shared/pending-names.js";
import { ConflictError } from "../types.js";
import type { GcpSecret, SecretManagerApi } from "./client.js";
import { statusOf, toCliError } from "./errors.js";
import { toSecretId } from "./names.js";
import type { GcpReader } from "./read.js";

export interface GcpRotationHost {
  readonly api: SecretManagerApi;
  readonly reader: GcpReader;
  readonly writes: AdaptiveLimiter;
  readonly endpoint: string | undefined;
}

export interface GcpPending {
  readonly secret: GcpSecret;
  readonly run: string;
  /** Promotion requires it still current. */
  readonly replaces: string;
  /** What the journal and `readLabels` call the pending version. */
  readonly version: string;
  /** Undefined after a crash between the sibling's create and its version. */
  readonly value: string | undefined;
}

const A = { run: "secretshift-run", target: "secretshift-target", replaces: "secretshift-replaces", version: "secretshift-version" } as const;
export const PENDING_LABELS = { "managed-by": "secretshift", "secretshift-role": "pending" };

/**
 * `secretshift-pending__<id>`: its create makes one owner (a second fails ALREADY_EXISTS), and its
 * annotations name the run, the target and the versions. Deleted whole when the rotation ends.
 */
export class GcpSiblings {
  constructor(private readonly host: GcpRotationHost) {}

  id(name: string): string {
    return toSecretId(pendingNameOf(name));
  }

  async read(name: string): Promise<GcpPending | undefined> {
    const secret = await this.host.reader.secret(this.id(name));
    const a = secret?.annotations ?? {};
    const run = a[A.run];
    if (!secret || a[A.target] !== name || run === undefined) return undefined;
    let value: string | undefined;
    try {
      value = (await this.host.reader.value(secret.id, "latest")).value;
    } catch (e) {
      if (statusOf(e) !== "NOT_FOUND" && statusOf(e) !== "FAILED_PRECONDITION") throw this.fail(e, "AccessSecretVersion", name);
    }
    return { secret, run, replaces: a[A.replaces] ?? "", version: a[A.version] ?? "", value };
  }

  async create(name: string, value: string, p: { run: string; replaces: string; version: string }): Promise<void> {
    const id = this.id(name);
    const annotations = { [A.run]: p.run, [A.target]: name, [A.replaces]: p.replaces, [A.version]: p.version };
    try {
      await this.host.writes.run(() => this.host.api.createSecret(id, PENDING_LABELS, annotations));
    } catch (e) {
      if (statusOf(e) === "ALREADY_EXISTS") throw new ConflictError(name, `${name} got a pending value from another rotation meanwhile (${id})`);
      throw this.fail(e, "CreateSecret", name);
    }
    try {
      await this.host.writes.run(() => this.host.api.addVersion(id, Buffer.from(value, "utf8")));
    } catch (e) {
      throw this.fail(e, "AddSecretVersion", name, value);
    }
  }

  /** Only while it is the one read (its etag). */
  async remove(pending: GcpPending, name: string): Promise<void> {
    try {
      await this.host.writes.run(() => this.host.api.deleteSecret(pending.secret.id, pending.secret.etag));
    } catch (e) {
      if (statusOf(e) !== "NOT_FOUND") throw this.fail(e, "DeleteSecret", name);
    }
  }

  async targets(): Promise<string[]> {
    const ids = await this.host.reader.ids(toSecretId(pendingNameOf("")));
    const out: string[] = [];
    for (const id of ids) {
      const secret = await this.host.reader.secret(id);
      const target = secret?.annotations[A.target];
      if (target !== undefined && this.id(target) === id) out.push(target);
    }
    return out;
  }

  private fail(e: unknown, op: string, name: string, value?: string) {
    return toCliError(e, { op, name: pendingNameOf(name), endpoint: this.host.endpoint, ...(value === undefined ? {} : { value }) });
  }
}
