import { isPendingName, RESERVED_PENDING } from "../shared/pending-names.js";
import type { NameCheck } from "../types.js";

const SEGMENT = /^[A-Za-z0-9._~@=,:-]+$/;

export function checkVaultName(name: string): NameCheck {
  if (name === "") return { stored: name, invalid: "a Vault path cannot be empty" };
  if (name.startsWith("/") || name.endsWith("/")) return { stored: name, invalid: "a Vault secret path cannot start or end with /" };
  if (isPendingName(name)) return { stored: name, invalid: RESERVED_PENDING };
  for (const segment of name.split("/")) {
    if (segment === "") return { stored: name, invalid: "a Vault path cannot contain an empty segment (//)" };
    if (segment === "." || segment === "..") return { stored: name, invalid: "a Vault path cannot contain . or .. segments" };
    if (!SEGMENT.test(segment)) return { stored: name, invalid: "Vault path segments may only hold letters, digits and . _ - ~ @ = , :" };
  }
  return { stored: name };
}
