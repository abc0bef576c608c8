import { deriveSecretName, dnsSubdomainProblem, fromKey, keyProblem, toKey } from "../../core/kubernetes-names.js";

/** Kubernetes' MaxSecretSize: the decoded bytes of all `data` values of one Secret together. */
export const MAX_SECRET_BYTES = 1024 * 1024;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The data key for `name` in the one-Secret layout, or the rule it breaks. */
export function checkKeyName(name: string): { key: string; invalid?: string } {
  const key = toKey(name);
  // `__` or `_/` in a name would read back as another name once `/` is stored as `__`.
  if (fromKey(key) !== name) return { key, invalid: "names holding __ or _/ cannot be told apart once / is stored as __ in a Secret key" };
  const problem = keyProblem(key);
  return problem ? { key, invalid: problem } : { key };
}

export function namespaceProblem(ns: string): string | undefined {
  return ns.length <= 63 && DNS_LABEL.test(ns) ? undefined : "a namespace is a DNS label: at most 63 lowercase letters, digits and -";
}

/** Per-secret layout: `app/db-password` is the Secret `app.db-password`; names holding `.` cannot map back. */
export const toSecretName = (name: string): string => name.replaceAll("/", ".");
export const fromSecretName = (secret: string): string => secret.replaceAll(".", "/");

export function checkSecretName(name: string): { secret: string; invalid?: string } {
  const secret = toSecretName(name);
  if (name.includes(".")) return { secret, invalid: "with --layout per-secret, / is stored as . so names cannot hold . themselves" };
  const problem = dnsSubdomainProblem(secret, "with --layout per-secret, names");
  return problem ? { secret, invalid: problem } : { secret };
}

/** What commands that see no source (rollback, get) use: the name `.env`, the default source, gets. */
export const DEFAULT_SECRET_NAME = deriveSecretName(".env");
