import { createHmac, hkdfSync, randomBytes } from "node:crypto";
import { usageError } from "../../core/errors.js";
import { fromKey } from "../../core/kubernetes-names.js";
import { runPool } from "../../core/pool.js";
import { digits } from "../../ui/digits.js";
import type { ProviderContext } from "../shared/context.js";
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
import { k8sAnchor } from "./anchor.js";
import { decode, decodedBytes, encode, MANAGED_BY, SecretBook } from "./book.js";
import { K8sCaller } from "./call.js";
import type { K8sSecretsApi } from "./client.js";
import { checkKeyName, checkSecretName, fromSecretName, MAX_SECRET_BYTES } from "./names.js";
import { revertChange } from "./revert.js";
import { type K8sSettings, kubeconfigSource, resolveK8sSettings } from "./settings.js";

const VALUE_KEY = "value";
const SELECTOR = Object.entries(MANAGED_BY)
  .map(([k, v]) => `${k}=${v}`)
  .join(",");
const TOO_BIG = "larger than the 1 MiB (1,048,576 bytes) a Kubernetes Secret can hold";

/**
 * The single layout keeps every name as a key of one Secret, a run's changes sent as one replace;
 * per-secret makes one Secret per name. Writes carry the resourceVersion read while planning. No
 * versions: a "version" is a keyed fingerprint, and rollback restores from the encrypted backup.
 */
export class K8sStore implements SecretStore {
  readonly name = "k8s" as const;
  readonly versioned = false;
  readonly cannotRotate =
    "Kubernetes Secrets keep no versions: the new value could not wait where pods do not read it, and the old one could not stay readable through a grace period";
  readonly batched: boolean;
  readonly defaultConcurrency = 8;
  readonly stats: ProviderStats = { apiCalls: 0 };
  private readonly caller: K8sCaller;
  private readonly book: SecretBook;
  private readonly fingerprintKey: Buffer;
  private readonly plannedBytes = new Map<string, number>();
  readonly anchor: AnchorStore;

  constructor(
    api: K8sSecretsApi,
    private readonly settings: K8sSettings,
    private readonly ctx: Pick<ProviderContext, "clock" | "onEvent" | "concurrency" | "key">,
    server: string,
  ) {
    this.batched = settings.layout === "single";
    this.caller = new K8sCaller(api, ctx, this.stats, server, settings.namespace);
    this.book = new SecretBook(this.caller);
    this.anchor = k8sAnchor(this.caller);
    // Stable across runs when a data key exists: rollback compares versions from an earlier run.
    this.fingerprintKey = ctx.key ? Buffer.from(hkdfSync("sha256", ctx.key, "", "secretshift k8s version", 32)) : randomBytes(32);
  }

  private slot(name: string): { secret: string; key: string } | undefined {
    if (this.batched) {
      const c = checkKeyName(name);
      return c.invalid ? undefined : { secret: this.settings.secretName, key: c.key };
    }
    const c = checkSecretName(name);
    return c.invalid ? undefined : { secret: c.secret, key: VALUE_KEY };
  }

  checkName(name: string): NameCheck {
    if (this.batched) {
      const c = checkKeyName(name);
      return { stored: `${this.settings.secretName}[${c.key}]`, ...(c.invalid ? { invalid: c.invalid } : {}) };
    }
    const c = checkSecretName(name);
    return { stored: c.secret, ...(c.invalid ? { invalid: c.invalid } : {}) };
  }

  checkValue(value: string): string | undefined {
    return Buffer.byteLength(value, "utf8") > MAX_SECRET_BYTES ? TOO_BIG : undefined;
  }

  /** Under 1 MiB with the keys it keeps and every batch's writes so far (a database source streams many). */
  checkBatch(writes: readonly { name: string; value: string }[]): ReadonlyMap<string, string> {
    if (!this.batched) return new Map();
    for (const w of writes) {
      const slot = this.slot(w.name);
      if (slot) this.plannedBytes.set(slot.key, Buffer.byteLength(w.value, "utf8"));
    }
    const sizes = new Map([...this.book.current(this.settings.secretName)].map(([k, b64]) => [k, decodedBytes(b64)]));
    for (const [key, bytes] of this.plannedBytes) sizes.set(key, bytes);
    const total = [...sizes.values()].reduce((a, b) => a + b, 0);
    if (total <= MAX_SECRET_BYTES) return new Map();
    const rule = `the Secret "${this.settings.secretName}" would hold ${digits(total)} bytes; Kubernetes allows 1,048,576 (1 MiB) per Secret`;
    return new Map(writes.map((w) => [w.name, rule]));
  }

  async connect(): Promise<void> {
    if (this.batched) await this.book.load(this.settings.secretName);
    else await this.listManaged();
  }

  async readMany(names: readonly string[]): Promise<Map<string, CurrentSecret>> {
    const found = new Map<string, CurrentSecret>();
    await runPool(names, this.ctx.concurrency ?? this.defaultConcurrency, async (name) => {
      const slot = this.slot(name);
      if (!slot) return;
      await this.book.load(slot.secret);
      const b64 = this.book.current(slot.secret).get(slot.key);
      if (b64 === undefined) return;
      const value = decode(b64);
      found.set(name, { name, value, version: this.fingerprint(name, value) });
    });
    return found;
  }

  async list(prefix: string): Promise<string[]> {
    if (this.batched) {
      await this.book.load(this.settings.secretName);
      return [...this.book.current(this.settings.secretName).keys()].map(fromKey).filter((n) => n.startsWith(prefix));
    }
    const secrets = await this.listManaged();
    return secrets
      .filter((s) => s.data?.[VALUE_KEY] !== undefined)
      .flatMap((s) => (s.metadata?.name ? [fromSecretName(s.metadata.name)] : []))
      .filter((n) => n.startsWith(prefix));
  }

  /** Each Secret read this way is remembered like a get. */
  private async listManaged() {
    const ns = this.settings.namespace;
    const secrets = await this.caller.call("list", undefined, (api) => api.list(ns, SELECTOR));
    for (const s of secrets) if (s.metadata?.name) this.book.remember(s.metadata.name, s);
    return secrets;
  }

  async write(op: WriteOp): Promise<WriteResult> {
    const slot = this.mapped(op.name);
    await this.book.load(slot.secret);
    const where = this.batched ? `key ${slot.key} of Secret "${slot.secret}"` : `Secret "${slot.secret}"`;
    const b64 = this.book.current(slot.secret).get(slot.key);
    if (op.kind === "create" && (b64 !== undefined || (!this.batched && this.book.exists(slot.secret))))
      throw new ConflictError(op.name, `${where} already exists`);
    if (op.kind === "update") {
      if (b64 === undefined) throw new ConflictError(op.name, `${where} was deleted since it was read`);
      if (op.expectedVersion !== undefined && this.fingerprint(op.name, decode(b64)) !== op.expectedVersion)
        throw new ConflictError(op.name, `${where} changed since it was read`);
    }
    this.book.stage(slot.secret, op.runId, { set: [slot.key, encode(op.value)] });
    await this.sendNow(slot.secret);
    return { version: this.fingerprint(op.name, op.value) };
  }

  async flush(): Promise<void> {
    if (this.batched) await this.book.flushAll();
  }

  async revert(op: RevertOp): Promise<RevertOutcome> {
    const slot = this.mapped(op.name);
    await this.book.load(slot.secret);
    const b64 = this.book.current(slot.secret).get(slot.key);
    const change = revertChange(op, b64 === undefined ? undefined : decode(b64), (n, v) => this.fingerprint(n, v));
    if ("outcome" in change) return change.outcome;
    if ("set" in change) this.book.stage(slot.secret, op.runId, { set: [slot.key, encode(change.set)] });
    else this.book.stage(slot.secret, op.runId, { remove: slot.key, dropIfEmptyFor: op.runId });
    await this.sendNow(slot.secret);
    return "reverted";
  }

  async close(): Promise<void> {}

  private async sendNow(secret: string): Promise<void> {
    if (this.batched) return;
    try {
      await this.book.flush(secret);
    } catch (error) {
      this.book.discard(secret);
      throw error;
    }
  }

  private mapped(name: string): { secret: string; key: string } {
    const slot = this.slot(name);
    if (!slot) throw usageError("K8S_NAME", `${name} cannot be stored in Kubernetes: ${this.checkName(name).invalid}`);
    return slot;
  }

  /** Keyed, so the "version" shown in plans and journals says nothing about the value. */
  private fingerprint(name: string, value: string): string {
    return `k8s:${createHmac("sha256", this.fingerprintKey).update(name).update("\0").update(value).digest("hex").slice(0, 16)}`;
  }
}

export async function createK8sStore(ctx: ProviderContext): Promise<SecretStore> {
  const { connectKubeconfig } = await import("./kubeconfig.js");
  const { api, server, contextNamespace } = await connectKubeconfig(kubeconfigSource(ctx.env));
  return new K8sStore(api, resolveK8sSettings(ctx, contextNamespace), ctx, server);
}
