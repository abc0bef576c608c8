import { AdaptiveLimiter } from "../../core/adaptive-limiter.js";
import type { Clock } from "../../core/clock.js";
import { type CliError, usageError } from "../../core/errors.js";
import type { ProviderContext } from "../shared/context.js";
import { countCalls } from "../shared/count-calls.js";
import { RESERVED_PENDING } from "../shared/pending-names.js";
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
import { azureAnchor } from "./anchor.js";
import { createKeyVaultApi, type KeyVaultApi, unconfiguredApi } from "./client.js";
import { conflictOf, isThrottle, retryAfterMs, statusOf, toCliError } from "./errors.js";
import { checkAzureName, collisions, nameOf, runTags, TAG_RUN, toVaultName } from "./names.js";
import { AzureReader, DELETED_HINT } from "./read.js";
import { revertAzure } from "./revert.js";
import { AzureRotation, isSibling } from "./rotation.js";
import { type AzureSettings, missingVaultUrl, resolveAzureSettings } from "./settings.js";

export class AzureStore implements SecretStore {
  readonly name = "azure" as const;
  readonly batched = false;
  readonly versioned = true;
  /** About 4,000 secret operations per 10 s per vault: 8 in flight stays well under it. */
  readonly defaultConcurrency = 8;
  readonly stats: ProviderStats = { apiCalls: 0 };
  readonly rotation: AzureRotation;
  private readonly api: KeyVaultApi;
  private readonly writes: AdaptiveLimiter;
  private readonly reader: AzureReader;
  private readonly vaultUrl: string;
  readonly anchor: AnchorStore;

  constructor(
    api: KeyVaultApi,
    private readonly settings: AzureSettings,
    private readonly ctx: Pick<ProviderContext, "concurrency" | "onEvent"> & { clock: Clock },
  ) {
    this.api = countCalls(api, Object.keys(api) as (keyof KeyVaultApi)[], () => this.stats.apiCalls++);
    this.vaultUrl = settings.vaultUrl?.href ?? "(no vault URL)";
    this.anchor = azureAnchor(this.api, this.vaultUrl);
    const onThrottle = (retryInMs: number) => ctx.onEvent({ type: "throttled", retryInMs });
    const limits = { isThrottle, retryAfterMs, onThrottle, maxDelayMs: 30_000 };
    this.writes = new AdaptiveLimiter({ maxConcurrency: ctx.concurrency ?? this.defaultConcurrency, ...limits });
    const purgeable = (name: string) => ctx.onEvent({ type: "info", message: `${name} is soft-deleted; --purge-deleted purges it before creating it` });
    this.reader = new AzureReader(
      this.api,
      new AdaptiveLimiter({ maxConcurrency: 8, ...limits }),
      this.vaultUrl,
      settings.purgeDeleted ? purgeable : undefined,
    );
    this.rotation = new AzureRotation({ api: this.api, reader: this.reader, writes: this.writes, vaultUrl: this.vaultUrl });
  }

  checkName(name: string): NameCheck {
    const check = checkAzureName(name);
    return isSibling(check.stored) ? { ...check, invalid: RESERVED_PENDING } : check;
  }

  checkValue(value: string): string | undefined {
    if (value.length === 0) return "Azure Key Vault secret values cannot be empty";
    if (Buffer.byteLength(value, "utf8") > 25 * 1024) return "Azure Key Vault secret values are at most 25 KB";
    return undefined;
  }

  checkBatch(writes: readonly { name: string }[]): ReadonlyMap<string, string> {
    return collisions(
      writes.map((w) => w.name),
      this.reader.holders,
    );
  }

  /** The first read, before any write, proves the credentials. */
  async connect(): Promise<void> {
    if (!this.settings.vaultUrl) throw missingVaultUrl();
  }

  readMany(names: readonly string[]): Promise<Map<string, CurrentSecret>> {
    return this.reader.readMany(names);
  }

  async list(prefix: string): Promise<string[]> {
    const items = await this.api.list().catch((e) => {
      throw toCliError(e, { op: "GetSecrets", vaultUrl: this.vaultUrl });
    });
    return items
      .filter((i) => !isSibling(i.name))
      .map((i) => nameOf(i.name, i.tags))
      .filter((n) => n.startsWith(prefix));
  }

  /** Waits (bounded) while the vault deletes, purges or recovers the name, then re-reads and re-plans. */
  write(op: WriteOp): Promise<WriteResult> {
    const gaveUp = () => new ConflictError(op.name, `${op.name} is still being deleted or recovered in Azure Key Vault; run again in a few minutes`);
    return untilSettled(() => this.tryWrite(op), this.settling(op.name), gaveUp);
  }

  private async tryWrite(op: WriteOp): Promise<WriteResult | undefined> {
    const stored = toVaultName(op.name);
    let live = await this.reader.find(stored);
    // With --recover-deleted, a name soft-deleted since the plan read it (the vault was still deleting it) is recovered too.
    const recovering = !live && this.settings.recoverDeleted && (await this.reader.deleted(stored)) !== undefined;
    if (recovering) {
      const busy = await this.call("RecoverDeletedSecret", op, () =>
        this.writes
          .run(() => this.api.recover(stored))
          .then(
            () => false,
            (e) => (conflictOf(e) === "busy" ? true : Promise.reject(e)),
          ),
      );
      if (busy) return undefined;
      live = await this.reader.find(stored);
    }
    // An earlier attempt of this write went through (the version carries this run's tag and value).
    if (live && live.tags[TAG_RUN] === op.runId && live.value === op.value) return { version: live.version };
    if (op.kind === "create" && live && !recovering) throw new ConflictError(op.name, `${op.name} already exists in Azure Key Vault`);
    if (op.kind === "update") {
      if (!live) throw new ConflictError(op.name, `${op.name} no longer exists in Azure Key Vault`);
      // No compare-and-set in Key Vault: the version is checked right before writing.
      if (op.expectedVersion && live.version !== op.expectedVersion)
        throw new ConflictError(op.name, `${op.name} changed in Azure Key Vault after it was read`);
    }
    return this.put(op, stored);
  }

  /** Undefined while the name is busy, to try again shortly. */
  private async put(op: WriteOp, stored: string): Promise<WriteResult | undefined> {
    try {
      const out = await this.writes.run(() => this.api.set(stored, op.value, runTags(op.name, op.runId)));
      return { version: out.version };
    } catch (e) {
      const conflict = conflictOf(e);
      if (conflict === undefined) throw this.fail(e, "SetSecret", op);
      if (conflict === "busy") return undefined;
      if (!this.settings.purgeDeleted || op.kind !== "create") {
        throw new ConflictError(op.name, `${op.name} is held by a soft-deleted secret in Azure Key Vault (${DELETED_HINT})`);
      }
      // Purging finishes in the background; the name is free once the deleted secret is gone.
      await this.call("PurgeDeletedSecret", op, () =>
        this.writes.run(() => this.api.purge(stored)).catch((p) => (statusOf(p) === 404 || conflictOf(p) === "busy" ? undefined : Promise.reject(p))),
      );
      return undefined;
    }
  }

  revert(op: RevertOp): Promise<RevertOutcome> {
    const c = {
      api: this.api,
      reader: this.reader,
      writes: this.writes,
      vaultUrl: this.vaultUrl,
      purge: this.settings.purge,
      settling: this.settling(op.name),
    };
    return revertAzure(c, op);
  }

  private settling(name: string): Settling {
    const reason = `${name} is still being deleted or recovered by Azure Key Vault`;
    return { clock: this.ctx.clock, onWait: (retryInMs) => this.ctx.onEvent({ type: "retry", reason, retryInMs }) };
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}

  private async call<T>(name: string, op: WriteOp, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.fail(e, name, op);
    }
  }

  private fail(e: unknown, op: string, w: WriteOp): CliError {
    return toCliError(e, { op, name: w.name, value: w.value, vaultUrl: this.vaultUrl });
  }
}

export async function createAzureStore(ctx: ProviderContext): Promise<SecretStore> {
  const settings = resolveAzureSettings(ctx);
  if (settings.recoverDeleted && settings.purgeDeleted)
    throw usageError("AZURE_BAD_OPTION", "--recover-deleted and --purge-deleted exclude each other", "pick one");
  const api = settings.vaultUrl ? await createKeyVaultApi(settings, settings.vaultUrl) : unconfiguredApi(missingVaultUrl);
  return new AzureStore(api, settings, ctx);
}
