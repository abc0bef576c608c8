import type { PolicyRenderer } from "../descriptor.js";
import { parseGrants } from "../shared/policy.js";

/**
 * A custom role definition (`az role definition create --role-definition`) with data actions only.
 * Key Vault RBAC scopes to a vault or to one secret, never to a name prefix: assign it on the vault.
 */
export const renderAzurePolicy: PolicyRenderer = (grants, scope) => {
  const DataActions = parseGrants(grants)
    .map((g) => g.permission)
    .sort();
  const role = {
    Name: "secretshift",
    IsCustom: true,
    Description: `secretshift ${scope.commands.join(", ")}`,
    Actions: [],
    NotActions: [],
    DataActions,
    NotDataActions: [],
    AssignableScopes: ["/subscriptions/SUBSCRIPTION_ID/resourceGroups/RESOURCE_GROUP/providers/Microsoft.KeyVault/vaults/VAULT_NAME"],
  };
  return `${JSON.stringify(role, null, 2)}\n`;
};
