import type { AwsServer } from "./aws-secrets-manager.js";
import type { AzureServer } from "./azure-key-vault.js";
import type { GcpServer } from "./gcp-secret-manager.js";
import type { KubernetesServer } from "./kubernetes.js";
import type { VaultServer } from "./vault.js";

/**
 * What each test server has served, named as the service's access control names it: the IAM
 * action, the GCP permission, the Azure data action, the Kubernetes verb on `secrets`, the Vault
 * capability on a path. These mappings are the services' documented ones, kept beside the servers
 * so a policy test compares the provider's declarations with an authority outside the code under test.
 */
export type Served = () => Set<string>;

/**
 * Secrets Manager's IAM action names are the operation names (`secretsmanager:GetSecretValue`);
 * BatchGetSecretValue is also authorised as GetSecretValue on each secret it returns.
 */
export function awsServed(server: AwsServer): Served {
  const served = since(
    () => ({ ...server.counts }),
    (op) => `secretsmanager:${op}`,
  );
  return () => {
    const out = served();
    if (out.has("secretsmanager:BatchGetSecretValue")) out.add("secretsmanager:GetSecretValue");
    return out;
  };
}

/** https://cloud.google.com/secret-manager/docs/access-control: one permission per method. */
const GCP: Record<string, string> = {
  ListSecrets: "secretmanager.secrets.list",
  CreateSecret: "secretmanager.secrets.create",
  GetSecret: "secretmanager.secrets.get",
  UpdateSecret: "secretmanager.secrets.update",
  DeleteSecret: "secretmanager.secrets.delete",
  AddSecretVersion: "secretmanager.versions.add",
  ListSecretVersions: "secretmanager.versions.list",
  GetSecretVersion: "secretmanager.versions.get",
  AccessSecretVersion: "secretmanager.versions.access",
  DisableSecretVersion: "secretmanager.versions.disable",
  EnableSecretVersion: "secretmanager.versions.enable",
  DestroySecretVersion: "secretmanager.versions.destroy",
};
export const gcpServed = (server: GcpServer): Served =>
  since(
    () => ({ ...server.counts }),
    (m) => GCP[m] ?? `unmapped:${m}`,
  );

/** Key Vault RBAC data actions (Microsoft.KeyVault resource provider operations). */
const AZURE: Record<string, string> = {
  GetSecret: "getSecret/action",
  GetSecrets: "readMetadata/action",
  GetSecretVersions: "readMetadata/action",
  GetDeletedSecret: "readMetadata/action",
  GetDeletedSecrets: "readMetadata/action",
  SetSecret: "setSecret/action",
  UpdateSecret: "update/action",
  DeleteSecret: "delete",
  RecoverDeletedSecret: "recover/action",
  PurgeDeletedSecret: "purge/action",
};
export const azureServed = (server: AzureServer): Served =>
  since(
    () => ({ ...server.counts }),
    (op) => `Microsoft.KeyVault/vaults/secrets/${AZURE[op] ?? `unmapped:${op}`}`,
  );

export const k8sServed = (server: KubernetesServer): Served =>
  since(
    () => ({ ...server.counts }),
    (verb) => verb,
  );

/** `capability path`, from the server's request log: only requests whose token was accepted. */
export function vaultServed(server: VaultServer): Served {
  let seen = server.log.length;
  return () => {
    const out = new Set(server.log.slice(seen).flatMap((r) => (r.capability ? [`${r.capability} ${r.path}`] : [])));
    seen = server.log.length;
    return out;
  };
}

/** Names whose counter grew since the previous call. */
function since(read: () => Record<string, number>, name: (key: string) => string): Served {
  let last = read();
  return () => {
    const now = read();
    const grown = Object.keys(now).filter((k) => (now[k] ?? 0) > (last[k] ?? 0));
    last = now;
    return new Set(grown.map(name));
  };
}
