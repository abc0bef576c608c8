import type { protos } from "@google-cloud/secret-manager";
import { usageError } from "../../core/errors.js";

type ISecret = protos.google.cloud.secretmanager.v1.ISecret;
type IVersion = protos.google.cloud.secretmanager.v1.ISecretVersion;

export interface GcpSecret {
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
  /** "For client tools to store their own state": rotation records live here. */
  readonly annotations: Readonly<Record<string, string>>;
  readonly etag: string;
}

export interface GcpVersion {
  readonly number: string;
  readonly state: string;
  readonly etag: string;
}

export interface Page<T> {
  readonly items: T[];
  readonly next: string | undefined;
}

/** By secret id within one project; tests can plug in their own. */
export interface SecretManagerApi {
  getSecret(id: string): Promise<GcpSecret>;
  listSecrets(filter: string, pageToken: string | undefined): Promise<Page<GcpSecret>>;
  createSecret(id: string, labels: Record<string, string>, annotations?: Record<string, string>): Promise<GcpSecret>;
  /** The whole map is replaced, with the secret's etag. */
  setAnnotations(id: string, annotations: Record<string, string>, etag: string): Promise<GcpSecret>;
  deleteSecret(id: string, etag: string | undefined): Promise<void>;
  addVersion(id: string, data: Buffer): Promise<GcpVersion>;
  access(id: string, version: string): Promise<{ number: string; data: Buffer }>;
  getVersion(id: string, version: string): Promise<GcpVersion>;
  listVersions(id: string, filter: string, pageToken: string | undefined): Promise<Page<GcpVersion>>;
  disableVersion(id: string, version: string, etag: string | undefined): Promise<GcpVersion>;
  destroyVersion(id: string, version: string, etag: string | undefined): Promise<GcpVersion>;
  check(): Promise<void>;
  close(): Promise<void>;
}

export interface GcpClientConfig {
  readonly project: string | undefined;
  readonly endpoint: URL | undefined;
  /** As the provider's environment has it (ADC reads only process.env). */
  readonly keyFilename: string | undefined;
}

const SERVICE = "google.cloud.secretmanager.v1.SecretManagerService";
const lastSegment = (name: string | null | undefined) => (name ?? "").slice((name ?? "").lastIndexOf("/") + 1);
const secretOf = (s: ISecret): GcpSecret => ({
  id: lastSegment(s.name),
  labels: { ...(s.labels ?? {}) },
  annotations: { ...(s.annotations ?? {}) },
  etag: s.etag ?? "",
});
const versionOf = (v: IVersion): GcpVersion => ({ number: lastSegment(v.name), state: String(v.state ?? ""), etag: v.etag ?? "" });

async function loadSdk() {
  try {
    return await import("@google-cloud/secret-manager");
  } catch {
    throw usageError("GCP_SDK_MISSING", "the gcp provider needs @google-cloud/secret-manager", "npm install @google-cloud/secret-manager");
  }
}

/** Only now: `secrets --help` must not pay for the SDK. */
export async function createGcpApi(config: GcpClientConfig): Promise<SecretManagerApi> {
  const sdk = await loadSdk();
  const endpoint = config.endpoint;
  const client = new sdk.SecretManagerServiceClient({
    ...(config.keyFilename ? { keyFilename: config.keyFilename } : {}),
    ...(config.project ? { projectId: config.project } : {}),
    // A custom endpoint goes over the REST transport (plain HTTP for a loopback server); gRPC otherwise.
    ...(endpoint
      ? {
          fallback: true,
          apiEndpoint: endpoint.hostname.replace(/^\[|\]$/g, ""),
          port: Number(endpoint.port || (endpoint.protocol === "http:" ? 80 : 443)),
          protocol: endpoint.protocol.replace(":", ""),
        }
      : {}),
    // Throttles go to the provider's adaptive limiter, which must see them to slow down.
    clientConfig: { interfaces: { [SERVICE]: { methods: { AccessSecretVersion: { retry_codes_name: "non_idempotent" } } } } },
  });
  let project = config.project;
  const projectId = async () => {
    project ??= await client.getProjectId();
    return project;
  };
  const secret = async (id: string) => `projects/${await projectId()}/secrets/${id}`;
  const version = async (id: string, v: string) => `${await secret(id)}/versions/${v}`;
  return {
    getSecret: async (id) => secretOf((await client.getSecret({ name: await secret(id) }))[0]),
    async listSecrets(filter, pageToken) {
      const [items, , raw] = await client.listSecrets({ parent: `projects/${await projectId()}`, filter, pageSize: 250, pageToken }, { autoPaginate: false });
      return { items: items.map(secretOf), next: raw?.nextPageToken || undefined };
    },
    async createSecret(id, labels, annotations) {
      const secret = { replication: { automatic: {} }, labels, ...(annotations ? { annotations } : {}) };
      const [s] = await client.createSecret({ parent: `projects/${await projectId()}`, secretId: id, secret });
      return secretOf(s);
    },
    async setAnnotations(id, annotations, etag) {
      const [s] = await client.updateSecret({ secret: { name: await secret(id), annotations, etag }, updateMask: { paths: ["annotations"] } });
      return secretOf(s);
    },
    async deleteSecret(id, etag) {
      await client.deleteSecret({ name: await secret(id), ...(etag ? { etag } : {}) });
    },
    addVersion: async (id, data) => versionOf((await client.addSecretVersion({ parent: await secret(id), payload: { data } }))[0]),
    async access(id, v) {
      const [out] = await client.accessSecretVersion({ name: await version(id, v) });
      return { number: lastSegment(out.name), data: Buffer.from(out.payload?.data ?? new Uint8Array()) };
    },
    getVersion: async (id, v) => versionOf((await client.getSecretVersion({ name: await version(id, v) }))[0]),
    async listVersions(id, filter, pageToken) {
      const [items, , raw] = await client.listSecretVersions({ parent: await secret(id), filter, pageSize: 250, pageToken }, { autoPaginate: false });
      return { items: items.map(versionOf), next: raw?.nextPageToken || undefined };
    },
    disableVersion: async (id, v, etag) => versionOf((await client.disableSecretVersion({ name: await version(id, v), ...(etag ? { etag } : {}) }))[0]),
    destroyVersion: async (id, v, etag) => versionOf((await client.destroySecretVersion({ name: await version(id, v), ...(etag ? { etag } : {}) }))[0]),
    async check() {
      await client.auth.getClient();
      await projectId();
    },
    close: () => client.close(),
  };
}

type Method = Exclude<keyof SecretManagerApi, "check" | "close">;
export const REQUESTS: readonly Method[] = [
  "getSecret",
  "listSecrets",
  "createSecret",
  "setAnnotations",
  "deleteSecret",
  "addVersion",
  "access",
  "getVersion",
  "listVersions",
  "disableVersion",
  "destroyVersion",
];
