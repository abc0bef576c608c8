import type { AdaptiveLimiter } from "../../core/adaptive-limiter.js";
import type { CurrentSecret } from "../types.js";
import type { SecretsManagerApi } from "./client.js";
import { errorName, toCliError } from "./errors.js";

export const CURRENT = "AWSCURRENT";
const BATCH = 20;
/** A deletion date this close (or past) means a force delete the service is still carrying out. */
const IMMINENT_MS = 60_000;

export const RESTORE_HINT = "--restore-deleted restores it (RestoreSecret) before writing";

export function currentVersion(stages: Record<string, string[]> | undefined): string | undefined {
  for (const [id, labels] of Object.entries(stages ?? {})) if (labels.includes(CURRENT)) return id;
  return undefined;
}

const secretText = (v: { SecretString?: string; SecretBinary?: Uint8Array }): string =>
  v.SecretString ?? (v.SecretBinary ? Buffer.from(v.SecretBinary).toString("base64") : "");

export interface Described {
  readonly current?: string;
  readonly versions: Set<string>;
  readonly deleted: boolean;
  /** A force delete finishing in the background: the name is free shortly. */
  readonly going: boolean;
}

/**
 * Reads by id, which see a write at once (BatchGetSecretValue, 20 names a call). ListSecrets "might
 * not reflect changes from the last five minutes", so it only discovers names.
 */
export class AwsReader {
  private batchDenied = false;

  constructor(
    private readonly api: SecretsManagerApi,
    private readonly reads: AdaptiveLimiter,
    private readonly endpoint: string | undefined,
    private readonly now: () => Date,
  ) {}

  async names(prefix: string): Promise<string[]> {
    const out: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.reads
        .run(() => this.api.listSecrets({ MaxResults: 100, NextToken, Filters: prefix === "" ? undefined : [{ Key: "name", Values: [prefix] }] }))
        .catch((e) => {
          throw toCliError(e, { op: "ListSecrets", endpoint: this.endpoint });
        });
      for (const e of page.SecretList ?? []) if (e.Name?.startsWith(prefix)) out.push(e.Name);
      NextToken = page.NextToken;
    } while (NextToken);
    return out;
  }

  async readMany(names: readonly string[]): Promise<Map<string, CurrentSecret>> {
    const result = new Map<string, CurrentSecret>();
    const marked: string[] = [];
    const chunks: string[][] = [];
    for (let i = 0; i < names.length; i += BATCH) chunks.push(names.slice(i, i + BATCH));
    await Promise.all(chunks.map((chunk) => this.fetch(chunk, result, marked)));
    await Promise.all(
      marked.map(async (name) => {
        const d = await this.describe(name);
        // Gone by now, or about to be: the name is free for a create (which waits for it if need be).
        if (!d?.deleted || d.going) return;
        result.set(name, { name, value: "", version: d.current ?? "", deleted: true, hint: RESTORE_HINT });
      }),
    );
    return result;
  }

  private async fetch(ids: string[], into: Map<string, CurrentSecret>, marked: string[]): Promise<void> {
    if (!this.batchDenied) {
      try {
        const out = await this.reads.run(() => this.api.batchGetSecretValue({ SecretIdList: ids }));
        for (const v of out.SecretValues ?? []) if (v.Name) into.set(v.Name, { name: v.Name, value: secretText(v), version: v.VersionId ?? "" });
        for (const err of out.Errors ?? []) this.absorb(err.SecretId ?? "", err.ErrorCode ?? "", err.Message, marked);
        return;
      } catch (e) {
        if (errorName(e) !== "AccessDeniedException") throw toCliError(e, { op: "BatchGetSecretValue", endpoint: this.endpoint });
        this.batchDenied = true;
      }
    }
    await Promise.all(
      ids.map(async (id) => {
        try {
          const v = await this.reads.run(() => this.api.getSecretValue({ SecretId: id }));
          into.set(id, { name: id, value: secretText(v), version: v.VersionId ?? "" });
        } catch (e) {
          this.absorb(id, errorName(e), e instanceof Error ? e.message : undefined, marked);
        }
      }),
    );
  }

  /** Labelled or deprecated. */
  async hasVersion(name: string, version: string): Promise<boolean> {
    let NextToken: string | undefined;
    do {
      const page = await this.reads
        .run(() => this.api.listSecretVersionIds({ SecretId: name, IncludeDeprecated: true, MaxResults: 100, NextToken }))
        .catch((e) => {
          throw toCliError(e, { op: "ListSecretVersionIds", name, endpoint: this.endpoint });
        });
      if (page.Versions?.some((v) => v.VersionId === version)) return true;
      NextToken = page.NextToken;
    } while (NextToken);
    return false;
  }

  async describe(name: string): Promise<Described | undefined> {
    try {
      const d = await this.reads.run(() => this.api.describeSecret({ SecretId: name }));
      const deletedAt = d.DeletedDate?.getTime();
      return {
        current: currentVersion(d.VersionIdsToStages),
        versions: new Set(Object.keys(d.VersionIdsToStages ?? {})),
        deleted: deletedAt !== undefined,
        going: deletedAt !== undefined && deletedAt <= this.now().getTime() + IMMINENT_MS,
      };
    } catch (e) {
      if (errorName(e) === "ResourceNotFoundException") return undefined;
      throw toCliError(e, { op: "DescribeSecret", name, endpoint: this.endpoint });
    }
  }

  /** Absent and marked for deletion are states; anything else (AccessDenied above all) is an error. */
  private absorb(id: string, code: string, message: string | undefined, marked: string[]): void {
    if (code === "ResourceNotFoundException") return;
    if (code === "InvalidRequestException" && /delet/i.test(message ?? "")) {
      marked.push(id);
      return;
    }
    const err = Object.assign(new Error(message ?? code), { name: code });
    throw toCliError(err, { op: "GetSecretValue", name: id, endpoint: this.endpoint });
  }
}
