import type { NameCheck } from "../types.js";

const VAULT_NAME = /^[0-9A-Za-z-]{1,127}$/;

export const TAG_MANAGED = "managed-by";
export const TAG_NAME = "secretshift-name";
export const TAG_RUN = "secretshift-run";

export const runTags = (name: string, run: string): Record<string, string> => ({ [TAG_MANAGED]: "secretshift", [TAG_NAME]: name, [TAG_RUN]: run });

/**
 * `/` is stored as `--` and `_` as `-`, and Key Vault compares case-insensitively, so names can
 * fold together: the exact name travels in the `secretshift-name` tag, and colliding names are refused.
 */
export const toVaultName = (name: string): string => name.replaceAll("/", "--").replaceAll("_", "-");

export const vaultKey = (name: string): string => toVaultName(name).toLowerCase();

export function checkAzureName(name: string): NameCheck {
  const stored = toVaultName(name);
  if (!VAULT_NAME.test(stored)) {
    return { stored, invalid: "Azure Key Vault names are 1–127 characters of 0-9 a-z A-Z - (with / stored as -- and _ as -)" };
  }
  return { stored };
}

export function nameOf(stored: string, tags: Readonly<Record<string, string>> | undefined): string {
  const tagged = tags?.[TAG_NAME];
  return tagged !== undefined && vaultKey(tagged) === stored.toLowerCase() ? tagged : stored;
}

/** Two of `names` sharing a vault name, or one whose vault name holds another name already. */
export function collisions(names: readonly string[], holders: ReadonlyMap<string, string>): Map<string, string> {
  const byKey = new Map<string, string[]>();
  for (const n of names) byKey.set(vaultKey(n), [...(byKey.get(vaultKey(n)) ?? []), n]);
  const refused = new Map<string, string>();
  for (const [key, group] of byKey) {
    for (const n of group) {
      const others = group.filter((o) => o !== n);
      const holder = holders.get(key);
      if (others.length > 0)
        refused.set(n, `Azure Key Vault would store it as ${toVaultName(n)}, like ${others.join(", ")} (names are case-insensitive; / → --, _ → -)`);
      else if (holder !== undefined && holder !== n) refused.set(n, `Azure Key Vault stores it as ${toVaultName(n)}, which already holds ${holder}`);
    }
  }
  return refused;
}
