import type { AdaptiveLimiter } from "../../core/adaptive-limiter.js";
import type { CurrentSecret } from "../types.js";
import type { KeyVaultApi, VaultItem, VaultSecret } from "./client.js";
import { statusOf, toCliError } from "./errors.js";
import { checkAzureName, nameOf, toVaultName, vaultKey } from "./names.js";

export const DELETED_HINT = "--recover-deleted to recover it first, or --purge-deleted to purge it (needs purge rights)";

/** Remembers which name holds each vault name (`holders`), so the plan can refuse one landing on another's secret. */
export class AzureReader {
  readonly holders = new Map<string, string>();

  constructor(
    private readonly api: KeyVaultApi,
    private readonly reads: AdaptiveLimiter,
    private readonly vaultUrl: string,
    private readonly onPurgeable?: (name: string) => void,
  ) {}

  async find(stored: string, version?: string): Promise<VaultSecret | undefined> {
    return this.orMissing("GetSecret", stored, () => this.api.get(stored, version));
  }

  deleted(stored: string): Promise<VaultItem | undefined> {
    return this.orMissing("GetDeletedSecret", stored, () => this.api.getDeleted(stored));
  }

  async readMany(names: readonly string[]): Promise<Map<string, CurrentSecret>> {
    const out = new Map<string, CurrentSecret>();
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
