import { stringify } from "yaml";

export type EsoProvider = "aws" | "vault" | "gcp" | "azure";
export const ESO_PROVIDERS: readonly EsoProvider[] = ["aws", "vault", "gcp", "azure"];

/** One key of the target Secret and where ESO reads it from. */
export interface EsoEntry {
  readonly secretKey: string;
  readonly remoteKey: string;
  readonly property?: string;
}

type Settings = Readonly<Record<string, string | undefined>>;

const API_VERSION = "external-secrets.io/v1";
const LABELS = { "app.kubernetes.io/managed-by": "secretshift" };
/** Obvious, valid placeholders: the SecretStore stays not-Ready until someone points them at real credentials. */
const PLACEHOLDER = "replace-me";

const first = (...values: (string | undefined)[]) => values.find((v) => v !== undefined && v.trim() !== "")?.trim();
const ref = (name: string, key: string) => ({ name, key });

/**
 * The `spec.provider` block of a SecretStore (field names as in ESO's documented examples).
 * Addresses, regions and projects come from the same flags and environment the provider reads;
 * authentication is always a reference to a Kubernetes Secret to be created, never a credential.
 */
export function providerBlock(provider: EsoProvider, o: Settings, env: NodeJS.ProcessEnv): Record<string, unknown> {
  switch (provider) {
    case "aws":
      return {
        aws: {
          service: "SecretsManager",
          region: first(o.region, env.AWS_REGION, env.AWS_DEFAULT_REGION) ?? `${PLACEHOLDER}-region`,
          auth: {
            secretRef: {
              accessKeyIDSecretRef: ref(`${PLACEHOLDER}-aws-credentials`, "access-key"),
              secretAccessKeySecretRef: ref(`${PLACEHOLDER}-aws-credentials`, "secret-access-key"),
            },
          },
        },
      };
    case "vault": {
      const namespace = first(o.namespace, env.VAULT_NAMESPACE);
      return {
        vault: {
          server: first(o.address, o.endpoint, env.VAULT_ADDR) ?? `https://${PLACEHOLDER}.vault.example:8200`,
          path: (first(o.mount) ?? "secret").replace(/^\/+|\/+$/g, ""),
          version: o.kvVersion === "1" ? "v1" : "v2",
          ...(namespace ? { namespace } : {}),
          auth: { tokenSecretRef: ref(`${PLACEHOLDER}-vault-token`, "token") },
        },
      };
    }
    case "gcp":
      return {
        gcpsm: {
          projectID: first(o.project, env.GOOGLE_CLOUD_PROJECT, env.GCP_PROJECT_ID) ?? `${PLACEHOLDER}-project-id`,
          auth: { secretRef: { secretAccessKeySecretRef: ref(`${PLACEHOLDER}-gcp-credentials`, "secret-access-credentials") } },
        },
      };
    case "azure":
      return {
        azurekv: {
          tenantId: first(env.AZURE_TENANT_ID) ?? `${PLACEHOLDER}-tenant-id`,
          vaultUrl: first(o.vaultUrl, env.AZURE_KEYVAULT_URL) ?? `https://${PLACEHOLDER}.vault.azure.net`,
          authSecretRef: {
            clientId: ref(`${PLACEHOLDER}-azure-credentials`, "ClientID"),
            clientSecret: ref(`${PLACEHOLDER}-azure-credentials`, "ClientSecret"),
          },
        },
      };
  }
}

export interface ManifestInput {
  readonly provider: EsoProvider;
  readonly settings: Settings;
  readonly env: NodeJS.ProcessEnv;
  /** The Kubernetes Secret ESO creates (and the ExternalSecret's name). */
  readonly target: string;
  readonly entries: readonly EsoEntry[];
}

/** A SecretStore for the provider and one ExternalSecret that fills `target` from it. Pure. */
export function esoManifests(input: ManifestInput): Record<string, unknown>[] {
  const storeName = `secretshift-${input.provider}`;
  const store = {
    apiVersion: API_VERSION,
    kind: "SecretStore",
    metadata: { name: storeName, labels: LABELS },
    spec: { provider: providerBlock(input.provider, input.settings, input.env) },
  };
  const external = {
    apiVersion: API_VERSION,
    kind: "ExternalSecret",
    metadata: { name: input.target, labels: LABELS },
    spec: {
      refreshInterval: "1h",
      secretStoreRef: { name: storeName, kind: "SecretStore" },
      target: { name: input.target, creationPolicy: "Owner" },
      data: input.entries.map((e) => ({ secretKey: e.secretKey, remoteRef: { key: e.remoteKey, ...(e.property ? { property: e.property } : {}) } })),
    },
  };
  return [store, external];
}

export function toYaml(documents: readonly Record<string, unknown>[], provider: EsoProvider): string {
  const header = [
    `# External Secrets Operator manifests written by \`secrets export k8s --provider ${provider}\`.`,
    "# They hold no secret value and no credential: create the Secret(s) named replace-me-* (or change",
    "# spec.provider to your own authentication) before applying, e.g. kubectl apply -n <namespace> -f <file>.",
  ].join("\n");
  return `${header}\n${documents.map((d) => stringify(d, { lineWidth: 0 })).join("---\n")}`;
}
