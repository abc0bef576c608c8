import type { ProviderDescriptor } from "../descriptor.js";
import { firstSet } from "../shared/settings.js";

const PLACEHOLDER = "replace-me-azure-credentials";

export const azure: ProviderDescriptor<"azure"> = {
  name: "azure",
  title: "Azure Key Vault secrets",
  settings: [
    { key: "vaultUrl", arg: "<url>", description: "vault URL (AZURE_KEYVAULT_URL)" },
    { key: "recoverDeleted", description: "recover soft-deleted secrets before writing" },
    { key: "purgeDeleted", description: "purge soft-deleted secrets before creating (needs purge rights)" },
    { key: "purge", description: "rollback purges the secrets it deletes" },
  ],
  env: ["AZURE_KEYVAULT_URL", "AZURE_CLIENT_ID"],
  how: "DefaultAzureCredential; --vault-url",
  starter: ["    # vaultUrl: https://my-vault.vault.azure.net"],
  capabilities: { versions: true, labels: "tags on versions; the pending value in a sibling secret", rotation: true, anchor: true },
  eso: {
    block: (o, env) => ({
      azurekv: {
        tenantId: firstSet(env.AZURE_TENANT_ID) ?? "replace-me-tenant-id",
        vaultUrl: firstSet(o.vaultUrl, env.AZURE_KEYVAULT_URL) ?? "https://replace-me.vault.azure.net",
        authSecretRef: { clientId: { name: PLACEHOLDER, key: "ClientID" }, clientSecret: { name: PLACEHOLDER, key: "ClientSecret" } },
      },
    }),
  },
  policy: {
    uses: () => {
      const s = (actions: string) => actions.split(" ").map((a) => `Microsoft.KeyVault/vaults/secrets/${a}`);
      return {
        migrate: s("getSecret/action readMetadata/action setSecret/action update/action"),
        validate: s("getSecret/action readMetadata/action"),
        rollback: s("delete getSecret/action purge/action readMetadata/action recover/action setSecret/action update/action"),
        rotate: s("getSecret/action setSecret/action update/action"),
        cleanup: s("getSecret/action readMetadata/action update/action"),
        run: s("getSecret/action"),
      };
    },
    load: async () => (await import("./policy.js")).renderAzurePolicy,
  },
  load: async () => (await import("./store.js")).createAzureStore,
};
