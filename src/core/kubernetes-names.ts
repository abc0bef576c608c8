import { basename } from "node:path";

const KEY = /^[-._a-zA-Z0-9]+$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** `/` is stored as `__`; shared by the Kubernetes provider and `export k8s`, whose Secret keys must match. */
export const toKey = (name: string): string => name.replaceAll("/", "__");
export const fromKey = (key: string): string => key.replaceAll("__", "/");

/** apimachinery's IsConfigMapKey. */
export function keyProblem(key: string): string | undefined {
  if (key.length === 0) return "a Secret key cannot be empty";
  if (key.length > 253) return "Secret keys are at most 253 characters";
  if (!KEY.test(key)) return "Secret keys may only hold letters, digits and - _ . (a / becomes __)";
  if (key === "." || key === ".." || key.startsWith("..")) return "a Secret key cannot be . or .. or start with ..";
  return undefined;
}

export function dnsSubdomainProblem(name: string, what = "Secret names"): string | undefined {
  if (name.length === 0 || name.length > 253) return `${what} are 1-253 characters`;
  if (!DNS_SUBDOMAIN.test(name)) return `${what} are DNS subdomains: lowercase letters, digits, - and ., starting and ending alphanumeric`;
  return undefined;
}

/** `.env` → `app-env`, `.env.production` → `app-env-production`, `config/prod.env` → `prod-env`. */
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
