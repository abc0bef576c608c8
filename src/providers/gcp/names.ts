import type { NameCheck } from "../types.js";

const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;

/** `/` is stored as `__`; a name that would not read back as itself is refused, and every id made elsewhere maps back. */
export const toSecretId = (name: string): string => name.replaceAll("/", "__");
export const fromSecretId = (id: string): string => id.replaceAll("__", "/");

export function checkGcpName(name: string): NameCheck {
  const stored = toSecretId(name);
  if (fromSecretId(stored) !== name) {
    return { stored, invalid: "GCP stores / as __, so a name may not hold __ or _ right before a / (it would read back as another name)" };
  }
  if (!SECRET_ID.test(stored)) return { stored, invalid: "GCP secret ids are 1–255 characters of A-Z a-z 0-9 _ - (a / is stored as __)" };
  return { stored };
}
