import { stringify } from "yaml";

/** One key of the target Secret and where ESO reads it from. */
export interface EsoEntry {
  readonly secretKey: string;
  readonly remoteKey: string;
  readonly property?: string;
}

const API_VERSION = "external-secrets.io/v1";
const LABELS = { "app.kubernetes.io/managed-by": "secretshift" };

export interface ManifestInput {
  readonly provider: string;
  /** The SecretStore's `spec.provider` block (the provider's descriptor writes it). */
  readonly block: Record<string, unknown>;
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
    spec: { provider: input.block },
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

export function toYaml(documents: readonly Record<string, unknown>[], provider: string): string {
  const header = [
    `# External Secrets Operator manifests written by \`secrets export k8s --provider ${provider}\`.`,
    "# They hold no secret value and no credential: create the Secret(s) named replace-me-* (or change",
    "# spec.provider to your own authentication) before applying, e.g. kubectl apply -n <namespace> -f <file>.",
  ].join("\n");
  return `${header}\n${documents.map((d) => stringify(d, { lineWidth: 0 })).join("---\n")}`;
}
