import type { NameCheck } from "../types.js";

const VAULT_NAME = /^[0-9A-Za-z-]{1,127}$/;

/** Tags on every version secretshift writes: who manages it, the exact name it stands for, and the run. */
export const TAG_MANAGED = "managed-by";
export const TAG_NAME = "secretshift-name";
export const TAG_RUN = "secretshift-run";

export const runTags = (name: string, run: string): Record<string, string> => ({ [TAG_MANAGED]: "secretshift", [TAG_NAME]: name, [TAG_RUN]: run });

/**
 * Key Vault names hold only `0-9 a-z A-Z -` and compare case-insensitively. `/` is stored as `--`
 * and `_` as `-` (`app/DB_URL` → `app--DB-URL`). That folds some names together (`A_B`, `A-B`,
 * `a_b`), so the exact name travels in the `secretshift-name` tag, which is what `list` reads back,
 * and two names that would share a vault name are refused as `invalid` before anything is written.
 */
export const toVaultName = (name: string): string => name.replaceAll("/", "--").replaceAll("_", "-");

/** Key Vault's identity of a name: the stored form, case folded. */
export const vaultKey = (name: string): string => toVaultName(name).toLowerCase();

export function checkAzureName(name: string): NameCheck {
  const stored = toVaultName(name);
  if (!VAULT_NAME.test(stored)) {
    return { stored, invalid: "Azure Key Vault names are 1–127 characters of 0-9 a-z A-Z - (with / stored as -- and _ as -)" };
  }
  return { stored };
}

/** The name a stored secret stands for: its tag when the tag maps to it, else its own vault name. */
export function nameOf(stored: string, tags: Readonly<Record<string, string>> | undefined): string {
  const tagged = tags?.[TAG_NAME];
  return tagged !== undefined && vaultKey(tagged) === stored.toLowerCase() ? tagged : stored;
}

/**
 * Names that cannot each have their own secret: two of `names` sharing a vault name (by case or by
 * the mapping), or a name whose vault name already holds another name (`holders`: vault key → name).
 */
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
