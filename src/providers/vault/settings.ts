import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { usageError } from "../../core/errors.js";
import type { ProviderContext } from "../shared/context.js";
import { nonEmpty } from "../shared/settings.js";

export type VaultAuthConfig =
  | { readonly kind: "token"; readonly token: string; readonly source: string }
  | { readonly kind: "approle"; readonly roleId: string; readonly secretId: string; readonly mount: string }
  | { readonly kind: "none" };

export interface VaultConfig {
  readonly address: string;
  readonly namespace: string | undefined;
  readonly mount: string;
  readonly kvVersion: 1 | 2 | undefined;
  readonly field: string;
  readonly auth: VaultAuthConfig;
  readonly ca: string | undefined;
  readonly skipVerify: boolean;
  readonly maxAttempts: number;
}

export const DEFAULT_ADDRESS = "https://127.0.0.1:8200";
const DEFAULT_ATTEMPTS = 6;

const trimSlashes = (s: string) => s.replace(/^\/+|\/+$/g, "");

/** Go's strconv.ParseBool, which Vault uses for VAULT_SKIP_VERIFY. */
function parseBool(name: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === "") return false;
  if (["1", "t", "T", "TRUE", "true", "True"].includes(raw)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(raw)) return false;
  throw usageError("VAULT_CONFIG", `${name} must be true or false, got "${raw}"`);
}

/** Credentials: VAULT_TOKEN, else AppRole (VAULT_ROLE_ID + VAULT_SECRET_ID), else `~/.vault-token`. */
export async function resolveVaultConfig(ctx: Pick<ProviderContext, "options" | "env">): Promise<VaultConfig> {
  const { options: o, env } = ctx;
  const address = nonEmpty(o.address) ?? nonEmpty(o.endpoint) ?? nonEmpty(env.VAULT_ADDR) ?? DEFAULT_ADDRESS;
  if (!URL.canParse(address) || !/^https?:$/.test(new URL(address).protocol)) {
    throw usageError("VAULT_CONFIG", `Vault address "${address}" is not an http(s) URL`, "set --address or VAULT_ADDR, e.g. https://vault.example.com:8200");
  }
  const mount = trimSlashes(nonEmpty(o.mount) ?? "secret");
  if (mount === "") throw usageError("VAULT_CONFIG", "--mount must name a KV mount, e.g. secret");
  const kv = nonEmpty(o.kvVersion);
  if (kv !== undefined && kv !== "1" && kv !== "2") throw usageError("VAULT_CONFIG", `--kv-version must be 1 or 2, got "${kv}"`);
  const attempts = nonEmpty(o.maxAttempts);
  const maxAttempts = attempts === undefined ? DEFAULT_ATTEMPTS : Number(attempts);
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw usageError("VAULT_CONFIG", `--max-attempts must be a positive whole number, got "${attempts}"`);
  return {
    address,
    namespace: nonEmpty(trimSlashes(nonEmpty(o.namespace) ?? env.VAULT_NAMESPACE ?? "")),
    mount,
    kvVersion: kv === undefined ? undefined : kv === "1" ? 1 : 2,
    field: nonEmpty(o.field) ?? "value",
    auth: await resolveAuth(ctx, trimSlashes(nonEmpty(o.authMount) ?? "approle")),
    ca: await readCa(env.VAULT_CACERT),
    skipVerify: parseBool("VAULT_SKIP_VERIFY", env.VAULT_SKIP_VERIFY),
    maxAttempts,
  };
}

async function resolveAuth({ env }: Pick<ProviderContext, "env">, mount: string): Promise<VaultAuthConfig> {
  const token = nonEmpty(env.VAULT_TOKEN);
  if (token) return { kind: "token", token, source: "VAULT_TOKEN" };
  const roleId = nonEmpty(env.VAULT_ROLE_ID);
  const secretId = nonEmpty(env.VAULT_SECRET_ID);
  if (roleId && secretId) return { kind: "approle", roleId, secretId, mount };
  if (roleId || secretId) {
    throw usageError(
      "VAULT_CONFIG",
      `${roleId ? "VAULT_ROLE_ID" : "VAULT_SECRET_ID"} is set but ${roleId ? "VAULT_SECRET_ID" : "VAULT_ROLE_ID"} is not`,
      "AppRole login needs both",
    );
  }
  const home = nonEmpty(env.HOME) ?? nonEmpty(env.USERPROFILE);
  if (!home) return { kind: "none" };
  const file = join(home, ".vault-token");
  try {
    const saved = nonEmpty(await readFile(file, "utf8"));
    return saved ? { kind: "token", token: saved, source: file } : { kind: "none" };
  } catch {
    return { kind: "none" };
  }
}

async function readCa(path: string | undefined): Promise<string | undefined> {
  if (!nonEmpty(path)) return undefined;
  try {
    return await readFile(path as string, "utf8");
  } catch {
    throw usageError("VAULT_CONFIG", `cannot read the CA certificate in VAULT_CACERT (${path})`, "point VAULT_CACERT at a PEM file");
  }
}
