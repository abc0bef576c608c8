import type { SecretListEntry } from "@aws-sdk/client-secrets-manager";
import type { AdaptiveLimiter } from "../core/adaptive-limiter.js";
import type { SecretsManagerApi } from "./aws-client.js";
import { errorName, toCliError } from "./aws-errors.js";
import type { CurrentSecret } from "./types.js";

export const CURRENT = "AWSCURRENT";
const BATCH = 20;

/** The version holding AWSCURRENT in a `{versionId: stages}` map (DescribeSecret, ListSecrets). */
export function currentVersion(stages: Record<string, string[]> | undefined): string | undefined {
  for (const [id, labels] of Object.entries(stages ?? {})) if (labels.includes(CURRENT)) return id;
  return undefined;
}

/** The names' common prefix cut back to a folder (`app/KEY_` → `app/`), so a later `list` of that folder can reuse the listing. */
function commonFolder(names: readonly string[]): string {
  let prefix = names[0] ?? "";
  for (const n of names) while (!n.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix.slice(0, prefix.lastIndexOf("/") + 1);
}

const secretText = (v: { SecretString?: string; SecretBinary?: Uint8Array }): string =>
  v.SecretString ?? (v.SecretBinary ? Buffer.from(v.SecretBinary).toString("base64") : "");

/**
 * Bulk reads: ListSecrets (100 a page, filtered by the names' common folder) says which names exist
 * and which are scheduled for deletion; BatchGetSecretValue fetches 20 values a call. GetSecretValue
 * one by one only when the batch call is denied.
 */
export class AwsReader {
  private batchDenied = false;
  /** Listings already fetched; `validate` lists right after reading, and must not pay for the pages twice. */
  private listings: { prefix: string; includeDeleted: boolean; entries: SecretListEntry[] }[] = [];

  constructor(
    private readonly api: SecretsManagerApi,
    private readonly reads: AdaptiveLimiter,
    private readonly endpoint: string | undefined,
  ) {}

  /** Raw errors: the caller decides what a denial means. */
  async entries(prefix: string, includeDeleted: boolean): Promise<SecretListEntry[]> {
    const cached = this.listings.find((l) => prefix.startsWith(l.prefix) && (l.includeDeleted || !includeDeleted));
    if (cached) return cached.entries.filter((e) => e.Name?.startsWith(prefix) && (includeDeleted || !e.DeletedDate));
    const out: SecretListEntry[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.reads.run(() =>
        this.api.listSecrets({
          MaxResults: 100,
          NextToken,
          IncludePlannedDeletion: includeDeleted,
          Filters: prefix === "" ? undefined : [{ Key: "name", Values: [prefix] }],
        }),
      );
      out.push(...(page.SecretList ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    this.listings.push({ prefix, includeDeleted, entries: out });
    return out;
  }

  /** After a write the cached listings may be stale. */
  forgetListings(): void {
    this.listings = [];
  }

  async readMany(names: readonly string[]): Promise<Map<string, CurrentSecret>> {
    const result = new Map<string, CurrentSecret>();
    if (names.length === 0) return result;
    const wanted = new Set(names);
    let toFetch: string[];
    try {
      const entries = await this.entries(commonFolder(names), true);
      toFetch = [];
      for (const e of entries) {
        if (e.Name === undefined || !wanted.has(e.Name)) continue;
        if (e.DeletedDate) result.set(e.Name, deletedSecret(e.Name, currentVersion(e.SecretVersionsToStages)));
        else toFetch.push(e.Name);
      }
    } catch (e) {
      // Without ListSecrets, asking for every name still works: missing ones come back as errors.
      if (errorName(e) !== "AccessDeniedException") throw toCliError(e, { op: "ListSecrets", endpoint: this.endpoint });
      toFetch = [...wanted];
    }
    const chunks: string[][] = [];
    for (let i = 0; i < toFetch.length; i += BATCH) chunks.push(toFetch.slice(i, i + BATCH));
    await Promise.all(chunks.map((chunk) => this.fetch(chunk, result)));
    return result;
  }

  private async fetch(ids: string[], into: Map<string, CurrentSecret>): Promise<void> {
    if (!this.batchDenied) {
      try {
        const out = await this.reads.run(() => this.api.batchGetSecretValue({ SecretIdList: ids }));
        for (const v of out.SecretValues ?? []) if (v.Name) into.set(v.Name, { name: v.Name, value: secretText(v), version: v.VersionId ?? "" });
        for (const err of out.Errors ?? []) this.absorb(err.SecretId ?? "", err.ErrorCode ?? "", err.Message, into);
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
          this.absorb(id, errorName(e), e instanceof Error ? e.message : undefined, into);
        }
      }),
    );
  }

  /** Whether `version` still exists, labelled or deprecated (ListSecretVersionIds with IncludeDeprecated). */
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

  /** Current version, labelled versions and deletion state; undefined when the secret does not exist. */
  async describe(name: string): Promise<{ current?: string; versions: Set<string>; deleted: boolean } | undefined> {
    try {
      const d = await this.reads.run(() => this.api.describeSecret({ SecretId: name }));
      return {
        current: currentVersion(d.VersionIdsToStages),
        versions: new Set(Object.keys(d.VersionIdsToStages ?? {})),
        deleted: d.DeletedDate !== undefined,
      };
    } catch (e) {
      if (errorName(e) === "ResourceNotFoundException") return undefined;
      throw toCliError(e, { op: "DescribeSecret", name, endpoint: this.endpoint });
    }
  }

  /** A per-secret failure: absent and deleted are states; anything else (AccessDenied above all) is an error. */
  private absorb(id: string, code: string, message: string | undefined, into: Map<string, CurrentSecret>): void {
    if (code === "ResourceNotFoundException") return;
    if (code === "InvalidRequestException" && /delet/i.test(message ?? "")) {
      into.set(id, deletedSecret(id, undefined));
      return;
    }
    const err = Object.assign(new Error(message ?? code), { name: code });
    throw toCliError(err, { op: "GetSecretValue", name: id, endpoint: this.endpoint });
  }
}

/** Scheduled for deletion: its value cannot be read, and the plan must not write to it blindly. */
const deletedSecret = (name: string, version: string | undefined): CurrentSecret => ({ name, value: "", version: version ?? "", deleted: true });
