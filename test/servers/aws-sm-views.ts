import { AwsError, epoch, type StoredSecret, validationError } from "./aws-sm-model.js";

/** Response shapes shared by several operations, and ListSecrets-style paging and filtering. */

// biome-ignore lint/suspicious/noExplicitAny: request bodies are untyped JSON, checked field by field
export type Input = Record<string, any>;
export type Output = Record<string, unknown>;

export const stagesMap = (s: StoredSecret): Record<string, string[]> => {
  const out: Record<string, string[]> = {};
  for (const v of s.versions.values()) if (v.stages.size > 0) out[v.id] = [...v.stages];
  return out;
};

export const tagList = (s: StoredSecret) => [...s.tags].map(([Key, Value]) => ({ Key, Value }));

export const describe = (s: StoredSecret): Output => ({
  ARN: s.arn,
  Name: s.name,
  Description: s.description,
  KmsKeyId: s.kmsKeyId,
  RotationEnabled: false,
  LastChangedDate: epoch(s.lastChanged),
  DeletedDate: epoch(s.deletedDate),
  Tags: tagList(s),
  VersionIdsToStages: stagesMap(s),
  CreatedDate: epoch(s.created),
});

export function page<T>(items: T[], input: Input, max: number, fallback: number): { items: T[]; NextToken?: string } {
  const size = input.MaxResults ?? fallback;
  if (!Number.isInteger(size) || size < 1 || size > max) throw validationError("maxResults", `Member must have value between 1 and ${max}`);
  let start = 0;
  if (input.NextToken !== undefined) {
    start = Number(Buffer.from(String(input.NextToken), "base64url").toString());
    if (!Number.isInteger(start) || start < 0) throw new AwsError("InvalidNextTokenException", "The NextToken value is invalid.");
  }
  const end = start + size;
  return { items: items.slice(start, end), NextToken: end < items.length ? Buffer.from(String(end)).toString("base64url") : undefined };
}

export function matchesFilters(s: Pick<StoredSecret, "name" | "description" | "tags">, filters: Input[] | undefined): boolean {
  for (const f of filters ?? []) {
    const values: string[] = f.Values ?? [];
    const hit = values.some((raw) => {
      const negate = raw.startsWith("!");
      const v = negate ? raw.slice(1) : raw;
      const keys = [...s.tags.keys()];
      const tagValues = [...s.tags.values()];
      let m: boolean;
      if (f.Key === "name") m = s.name.startsWith(v);
      else if (f.Key === "tag-key") m = keys.some((k) => k.startsWith(v));
      else if (f.Key === "tag-value") m = tagValues.some((k) => k.startsWith(v));
      else if (f.Key === "description") m = (s.description ?? "").toLowerCase().startsWith(v.toLowerCase());
      else if (f.Key === "all") m = [s.name, s.description ?? "", ...keys, ...tagValues].some((x) => x.toLowerCase().includes(v.toLowerCase()));
      else throw validationError("filters.key", "Member must satisfy enum value set");
      return negate ? !m : m;
    });
    if (!hit) return false;
  }
  return true;
}
