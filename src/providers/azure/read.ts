import type { AdaptiveLimiter } from "../../core/adaptive-limiter.js";
import type { CurrentSecret } from "../types.js";
import type { KeyVaultApi, VaultItem, VaultSecret } from "./client.js";
import { statusOf, toCliError } from "./errors.js";
import { checkAzureName, nameOf, toVaultName, vaultKey } from "./names.js";

export const DELETED_HINT = "--recover-deleted to recover it first, or --purge-deleted to purge it (needs purge rights)";

/**
 * Reads by vault name, paced by their own limiter. Everything read is remembered as "which name
 * holds this vault name" (`holders`), so the plan can refuse a new name that would land on a
 * secret standing for another one.
 */
export class AzureReader {
  readonly holders = new Map<string, string>();

  constructor(
    private readonly api: KeyVaultApi,
    private readonly reads: AdaptiveLimiter,
    private readonly vaultUrl: string,
    private readonly onPurgeable?: (name: string) => void,
  ) {}

  /** The latest version, or undefined when the name holds no live secret (absent or soft-deleted). */
  async find(stored: string, version?: string): Promise<VaultSecret | undefined> {
    return this.orMissing("GetSecret", stored, () => this.api.get(stored, version));
  }

  /** The soft-deleted secret holding the name, if any. */
  deleted(stored: string): Promise<VaultItem | undefined> {
    return this.orMissing("GetDeletedSecret", stored, () => this.api.getDeleted(stored));
  }

  async readMany(names: readonly string[]): Promise<Map<string, CurrentSecret>> {
    const out = new Map<string, CurrentSecret>();
    // Names the vault cannot hold are refused by the plan; asking for them would only fail the read.
    const valid = names.filter((n) => !checkAzureName(n).invalid);
    await Promise.all(
      valid.map(async (name) => {
        const stored = toVaultName(name);
        const live = await this.find(stored);
        if (live) {
          const owner = nameOf(live.name, live.tags);
          this.holders.set(vaultKey(name), owner);
          if (owner === name) out.set(name, { name, value: live.value, version: live.version });
          return;
        }
        const gone = await this.deleted(stored);
        if (!gone) return;
        // With --purge-deleted the name is free for a create: the plan shows one, and the write purges first.
        if (this.onPurgeable) return this.onPurgeable(name);
        out.set(name, { name, value: "", version: gone.version, deleted: true, hint: DELETED_HINT });
      }),
    );
    return out;
  }

  private async orMissing<T>(op: string, stored: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await this.reads.run(fn);
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw toCliError(e, { op, name: stored, vaultUrl: this.vaultUrl });
    }
  }
}
