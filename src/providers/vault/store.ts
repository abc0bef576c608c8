import { createHmac, hkdfSync, randomBytes } from "node:crypto";
import type NodeVault from "node-vault";
import { describeError } from "../../core/describe-error.js";
import { runPool } from "../../core/pool.js";
import type { ProviderContext } from "../shared/context.js";
import { isPendingName, PENDING_ROOT } from "../shared/pending-names.js";
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
import { vaultAnchor } from "./anchor.js";
import { VaultSession } from "./auth.js";
import { VaultCaller } from "./call.js";
import { nodeVaultApi, type VaultApi, type VaultHttpError } from "./client.js";
import { isHttpError } from "./errors.js";
import { detectKvMount, fieldOf, isCasMismatch, KvClient } from "./kv.js";
import { checkVaultName } from "./names.js";
import { type RevertContext, revertV1, revertV2 } from "./revert.js";
import { KV1_CANNOT_ROTATE, VaultRotation } from "./rotation.js";
import { resolveVaultConfig, type VaultConfig } from "./settings.js";

// The default max_entry_size is 1 MiB for the whole entry: room for JSON and metadata.
const MAX_VALUE_BYTES = 1024 * 1024 - 8 * 1024;
const TAG_LIMIT = 512;

/**
 * One path `<mount>/<name>` per secret, one field of it (`value`), other fields kept. KV v1 has no
 * versions: its "version" is a keyed fingerprint of the value, to notice changes and know our writes.
 */
export class VaultStore implements SecretStore {
  readonly name = "vault" as const;
  readonly batched = false;
  readonly defaultConcurrency = 8;
  readonly stats: ProviderStats = { apiCalls: 0 };
  private readonly caller: VaultCaller;
  private readonly session: VaultSession;
  private kv: KvClient | undefined;
  /** So an update keeps the path's other fields without another read. */
  private readonly seen = new Map<string, { version: number; data: Record<string, unknown> }>();
  readonly rotation: VaultRotation;
  readonly anchor: AnchorStore = vaultAnchor(() => this.client);
  private readonly fingerprintKey: Buffer;

  constructor(
    api: VaultApi,
    private readonly config: VaultConfig,
    private readonly ctx: ProviderContext,
  ) {
    this.caller = new VaultCaller(api, ctx, this.stats, config.address, config.maxAttempts);
    this.session = new VaultSession(this.caller, config.auth, ctx);
    this.rotation = new VaultRotation({
      kv: () => this.client,
      field: config.field,
      runTag: (id) => this.runTag(id),
      notify: (message) => ctx.onEvent({ type: "info", message }),
    });
    // Stable across runs when a data key exists: rollback compares versions from an earlier run.
    this.fingerprintKey = ctx.key ? Buffer.from(hkdfSync("sha256", ctx.key, "", "secretshift vault kv1 version", 32)) : randomBytes(32);
  }

  get versioned(): boolean {
    return (this.kv?.version ?? this.config.kvVersion ?? 2) === 2;
  }

  checkName(name: string): NameCheck {
    return checkVaultName(name);
  }

  checkValue(value: string): string | undefined {
    return Buffer.byteLength(value) > MAX_VALUE_BYTES ? "larger than Vault's default storage entry limit (about 1 MiB)" : undefined;
  }

  async connect(): Promise<void> {
    if (this.kv) return;
    await this.session.login();
    const where = this.config.kvVersion
      ? { mount: this.config.mount, subPath: "", version: this.config.kvVersion }
      : await detectKvMount(this.caller, this.config.mount);
    this.kv = new KvClient(this.caller, where);
  }

  private get client(): KvClient {
    if (!this.kv) throw new Error("VaultStore used before connect()");
    return this.kv;
  }

  private get concurrency(): number {
    return this.ctx.concurrency ?? this.defaultConcurrency;
  }

  async readMany(names: readonly string[]): Promise<Map<string, CurrentSecret>> {
    const found = new Map<string, CurrentSecret>();
    await runPool(names, this.concurrency, async (name) => {
      const secret = await this.readOne(name);
      if (secret) found.set(name, secret);
    });
    return found;
  }

  private async readOne(name: string): Promise<CurrentSecret | undefined> {
    const read = await this.client.readLatest(name);
    if (!read) return undefined;
    if (!read.data) return { name, value: "", version: String(read.version), deleted: true };
    if (this.client.version === 2) this.seen.set(name, { version: read.version, data: read.data });
    // A path without our field is someone else's secret: reported absent, its create then conflicts.
    const value = fieldOf(read.data, this.config.field);
    if (value === undefined) return undefined;
    return { name, value, version: this.client.version === 2 ? String(read.version) : this.fingerprint(name, value) };
  }

  async list(prefix: string): Promise<string[]> {
    return (await this.client.list(prefix, this.concurrency, `${PENDING_ROOT}/`)).filter((n) => !isPendingName(n));
  }

  write(op: WriteOp): Promise<WriteResult> {
    return this.client.version === 2 ? this.writeV2(op) : this.writeV1(op);
  }

  nextVersion(op: WriteOp): string | undefined {
    if (this.kv?.version !== 2) return undefined;
    const expected = op.kind === "create" ? 0 : Number(op.expectedVersion ?? Number.NaN);
    return Number.isInteger(expected) && expected >= 0 ? String(expected + 1) : undefined;
  }

  private async writeV2(op: WriteOp): Promise<WriteResult> {
    const kv = this.client;
    const path = kv.dataPath(op.name);
    const cas = op.kind === "create" ? 0 : op.expectedVersion !== undefined ? Number(op.expectedVersion) : ((await kv.readMeta(op.name))?.current ?? 0);
    if (!Number.isInteger(cas) || cas < 0) throw new ConflictError(op.name, `${path}: expected version "${op.expectedVersion}" is not a KV v2 version`);
    const seen = this.seen.get(op.name);
    const base = cas === 0 ? {} : seen?.version === cas ? seen.data : ((await kv.readVersion(op.name, cas)) ?? {});
    const data = { ...base, [this.config.field]: op.value };
    let version: number;
    try {
      version = await kv.write(op.name, data, op.kind === "create" ? "create" : "update", cas);
    } catch (error) {
      if (!isCasMismatch(error)) throw error;
      // After a retried (ambiguous) attempt, the mismatch may be our own first attempt landing.
      const latest = (error as VaultHttpError).attempts > 1 ? await kv.readLatest(op.name) : undefined;
      if (!latest?.data || fieldOf(latest.data, this.config.field) !== op.value) {
        throw new ConflictError(op.name, op.kind === "create" ? `${path} already exists` : `${path} changed since it was read (expected version ${cas})`);
      }
      version = latest.version;
    }
    this.seen.set(op.name, { version, data });
    await this.tag(op);
    return { version: String(version) };
  }

  /** After the data write succeeded: a failure here must not fail the write. */
  private async tag(op: WriteOp): Promise<void> {
    try {
      await this.client.patchMeta(op.name, { custom_metadata: { "managed-by": "secretshift", "last-run": this.runTag(op.runId) } });
    } catch (error) {
      const why = isHttpError(error, 403)
        ? "the token lacks the patch capability"
        : isHttpError(error)
          ? `Vault answered ${error.status}`
          : describeError(error);
      this.ctx.onEvent({ type: "info", message: `could not record custom_metadata on ${this.client.metadataPath(op.name)}: ${why}` });
    }
  }

  private async writeV1(op: WriteOp): Promise<WriteResult> {
    const kv = this.client;
    const path = kv.dataPath(op.name);
    const current = await kv.readLatest(op.name);
    if (op.kind === "create" && current) throw new ConflictError(op.name, `${path} already exists`);
    if (op.kind === "update") {
      if (!current) throw new ConflictError(op.name, `${path} was deleted since it was read`);
      const now = fieldOf(current.data, this.config.field);
      if (op.expectedVersion !== undefined && (now === undefined || this.fingerprint(op.name, now) !== op.expectedVersion)) {
        throw new ConflictError(op.name, `${path} changed since it was read`);
      }
    }
    await kv.write(op.name, { ...(current?.data ?? {}), [this.config.field]: op.value }, current ? "update" : "create");
    return { version: this.fingerprint(op.name, op.value) };
  }

  get cannotRotate(): string | undefined {
    return this.kv?.version === 1 ? KV1_CANNOT_ROTATE : undefined;
  }

  async flush(): Promise<void> {}

  revert(op: RevertOp): Promise<RevertOutcome> {
    const c: RevertContext = { kv: this.client, field: this.config.field, fingerprint: (n, v) => this.fingerprint(n, v), runTag: (id) => this.runTag(id) };
    return this.client.version === 2 ? revertV2(c, op) : revertV1(c, op);
  }

  async close(): Promise<void> {
    this.seen.clear();
  }

  /** Keyed, so the "version" shown in plans and journals says nothing about the value. */
  private fingerprint(name: string, value: string): string {
    return `kv1:${createHmac("sha256", this.fingerprintKey).update(name).update("\0").update(value).digest("hex").slice(0, 16)}`;
  }

  private runTag(runId: string): string {
    return (runId.replace(/[^\x20-\x7e]/g, "_") || "unknown").slice(0, TAG_LIMIT);
  }
}

export async function createVaultStore(ctx: ProviderContext): Promise<SecretStore> {
  const config = await resolveVaultConfig(ctx);
  // node-vault is CommonJS: under NodeNext its typings describe the export, at run time it is `default`.
  const nodeVault = ((await import("node-vault")) as unknown as { default: typeof NodeVault }).default;
  const token = config.auth.kind === "token" ? config.auth.token : undefined;
  const api = nodeVaultApi(nodeVault, {
    address: config.address,
    token,
    namespace: config.namespace,
    ca: config.ca,
    skipVerify: config.skipVerify,
    timeoutMs: 30_000,
  });
  return new VaultStore(api, config, ctx);
}
