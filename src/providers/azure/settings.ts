import { usageError } from "../../core/errors.js";
import type { ProviderContext } from "../shared/context.js";
import { nonEmpty } from "../shared/settings.js";

/** A client secret from the environment: what EnvironmentCredential would use, read from the provider's own `env`. */
export interface ClientSecret {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface AzureSettings {
  /** Missing is only an error once the vault is used (`export k8s` needs the name rules alone). */
  readonly vaultUrl: URL | undefined;
  readonly clientSecret: ClientSecret | undefined;
  readonly authorityHost: string | undefined;
  /** NODE_EXTRA_CA_CERTS named in `env` but not loaded by this process (it reads the variable only at start). */
  readonly extraCaFile: string | undefined;
  readonly recoverDeleted: boolean;
  readonly purgeDeleted: boolean;
  /** Rollback purges the secrets it deletes. */
  readonly purge: boolean;
}

export const missingVaultUrl = () =>
  usageError("AZURE_VAULT_URL_MISSING", "no Azure Key Vault configured", "pass --vault-url https://<vault-name>.vault.azure.net or set AZURE_KEYVAULT_URL");

export const isLoopback = (host: string): boolean => ["localhost", "127.0.0.1", "[::1]", "::1"].includes(host.toLowerCase());

export function resolveAzureSettings(ctx: Pick<ProviderContext, "options" | "env">): AzureSettings {
  const opt = (key: string) => nonEmpty(ctx.options[key]);
  const env = (key: string) => nonEmpty(ctx.env[key]);
  const raw = opt("vaultUrl") ?? env("AZURE_KEYVAULT_URL");
  const url = raw !== undefined && URL.canParse(raw) ? new URL(raw) : undefined;
  // Tokens travel with every request: never over plain HTTP.
  if (raw !== undefined && url?.protocol !== "https:") {
    throw usageError("AZURE_BAD_OPTION", `vault URL "${raw}" is not an https:// URL`, "use e.g. --vault-url https://my-vault.vault.azure.net");
  }
  const tenantId = env("AZURE_TENANT_ID");
  const clientId = env("AZURE_CLIENT_ID");
  const secret = env("AZURE_CLIENT_SECRET");
  const extra = env("NODE_EXTRA_CA_CERTS");
  return {
    vaultUrl: url,
    clientSecret: tenantId && clientId && secret ? { tenantId, clientId, clientSecret: secret } : undefined,
    authorityHost: env("AZURE_AUTHORITY_HOST"),
    extraCaFile: extra !== undefined && extra !== process.env.NODE_EXTRA_CA_CERTS ? extra : undefined,
    recoverDeleted: opt("recoverDeleted") === "true",
    purgeDeleted: opt("purgeDeleted") === "true",
    purge: opt("purge") === "true",
  };
}
