import { basename } from "node:path";

/** Kubernetes' MaxSecretSize: the decoded bytes of all `data` values of one Secret together. */
export const MAX_SECRET_BYTES = 1024 * 1024;

const KEY = /^[-._a-zA-Z0-9]+$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Our names use `/` between segments; Secret keys cannot. `/` is stored as `__`, and read back
 * the same way. A name that already holds `__`, or `_` right before a `/`, would read back as a
 * different name, so it is refused rather than silently merged with another.
 */
export const toKey = (name: string): string => name.replaceAll("/", "__");
export const fromKey = (key: string): string => key.replaceAll("__", "/");

/** Why `key` cannot be a Secret data key (apimachinery's IsConfigMapKey), or undefined. */
export function keyProblem(key: string): string | undefined {
  if (key.length === 0) return "a Secret key cannot be empty";
  if (key.length > 253) return "Secret keys are at most 253 characters";
  if (!KEY.test(key)) return "Secret keys may only hold letters, digits and - _ . (a / becomes __)";
  if (key === "." || key === ".." || key.startsWith("..")) return "a Secret key cannot be . or .. or start with ..";
  return undefined;
}

/** The data key for `name` in the one-Secret layout, or the rule it breaks. */
export function checkKeyName(name: string): { key: string; invalid?: string } {
  const key = toKey(name);
  if (fromKey(key) !== name) return { key, invalid: "names holding __ or _/ cannot be told apart once / is stored as __ in a Secret key" };
  const problem = keyProblem(key);
  return problem ? { key, invalid: problem } : { key };
}

export function dnsSubdomainProblem(name: string, what = "Secret names"): string | undefined {
  if (name.length === 0 || name.length > 253) return `${what} are 1-253 characters`;
  if (!DNS_SUBDOMAIN.test(name)) return `${what} are DNS subdomains: lowercase letters, digits, - and ., starting and ending alphanumeric`;
  return undefined;
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

/**
 * The Secret a file's secrets go to when `--secret-name` is not given: the file's base name,
 * with `app` before a leading dot, lowercased, every run of other characters turned into `-`.
 * `.env` → `app-env`, `.env.production` → `app-env-production`, `config/prod.env` → `prod-env`.
 */
export function deriveSecretName(file: string): string {
  let base = basename(file);
  if (base.startsWith(".")) base = `app${base}`;
  const name = base
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, 253)
    .replace(/^-+|-+$/g, "");
  return name === "" ? "secretshift" : name;
}

/** What commands that see no source (rollback, get) use: the name `.env`, the default source, gets. */
export const DEFAULT_SECRET_NAME = deriveSecretName(".env");
