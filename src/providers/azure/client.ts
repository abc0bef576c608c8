import { readFile } from "node:fs/promises";
import { rootCertificates } from "node:tls";
import type { KeyVaultSecret, SecretClientOptions, SecretProperties } from "@azure/keyvault-secrets";
import { usageError } from "../../core/errors.js";
import { type AzureSettings, isLoopback } from "./settings.js";

export interface VaultSecret {
  readonly name: string;
  readonly value: string;
  readonly version: string;
  readonly tags: Readonly<Record<string, string>>;
}

export type VaultItem = Omit<VaultSecret, "value">;

export interface KeyVaultApi {
  get(name: string, version?: string): Promise<VaultSecret>;
  set(name: string, value: string, tags: Record<string, string>): Promise<VaultSecret>;
  update(name: string, version: string, change: { enabled?: boolean; tags?: Record<string, string> }): Promise<void>;
  list(): Promise<VaultItem[]>;
  getDeleted(name: string): Promise<VaultItem>;
  /** Waits until the vault reports the secret deleted. */
  remove(name: string): Promise<void>;
  recover(name: string): Promise<void>;
  purge(name: string): Promise<void>;
}

type Policy = NonNullable<SecretClientOptions["additionalPolicies"]>[number]["policy"];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The SDK's retries are off so a 429 reaches the provider's limiter; this keeps retrying 408, 5xx, resets. */
function transientRetry(maxRetries: number): Policy {
  return {
    name: "secretshiftTransientRetry",
    async sendRequest(request, next) {
      for (let attempt = 0; ; attempt++) {
        try {
          const response = await next(request);
          const transient = response.status === 408 || (response.status >= 500 && response.status !== 501 && response.status !== 505);
          if (!transient || attempt >= maxRetries) return response;
        } catch (e) {
          const code = (e as { code?: unknown }).code;
          if (attempt >= maxRetries || code !== "REQUEST_SEND_ERROR") throw e;
        }
        await sleep(Math.random() * Math.min(8000, 200 * 2 ** attempt));
      }
    },
  };
}

const itemOf = (p: SecretProperties): VaultItem => ({ name: p.name, version: p.version ?? "", tags: { ...(p.tags ?? {}) } });
const secretOf = (s: KeyVaultSecret): VaultSecret => ({ ...itemOf(s.properties), value: s.value ?? "" });

async function load<T>(pkg: string, importer: () => Promise<T>): Promise<T> {
  try {
    return await importer();
  } catch {
    throw usageError("AZURE_SDK_MISSING", `the azure provider needs ${pkg}`, "npm install @azure/keyvault-secrets @azure/identity");
  }
}

export async function createKeyVaultApi(settings: AzureSettings, vaultUrl: URL): Promise<KeyVaultApi> {
  const kv = await load("@azure/keyvault-secrets", () => import("@azure/keyvault-secrets"));
  const identity = await load("@azure/identity", () => import("@azure/identity"));
  const extraCa = settings.extraCaFile === undefined ? undefined : await readFile(settings.extraCaFile, "utf8");
  const tlsOptions = extraCa === undefined ? undefined : { ca: [...rootCertificates, extraCa] };
  const authority = settings.authorityHost;
  const common = {
    ...(authority ? { authorityHost: authority } : {}),
    ...(tlsOptions ? { tlsOptions } : {}),
    // Instance discovery asks login.microsoftonline.com about the authority; a loopback one is not Azure's.
    ...(authority && URL.canParse(authority) && isLoopback(new URL(authority).hostname) ? { disableInstanceDiscovery: true } : {}),
  };
  const c = settings.clientSecret;
  const credential = c ? new identity.ClientSecretCredential(c.tenantId, c.clientId, c.clientSecret, common) : new identity.DefaultAzureCredential(common);
  const client = new kv.SecretClient(vaultUrl.href.replace(/\/$/, ""), credential, {
    ...(tlsOptions ? { tlsOptions } : {}),
    retryOptions: { maxRetries: 0 },
    additionalPolicies: [{ policy: transientRetry(3), position: "perCall" }],
    // The challenge names Azure's resource (vault.azure.net); a loopback vault is never under it.
    disableChallengeResourceVerification: isLoopback(vaultUrl.hostname),
  });
  const poll = { intervalInMs: 1000 };
  return {
    get: async (name, version) => secretOf(await client.getSecret(name, version ? { version } : {})),
    set: async (name, value, tags) => secretOf(await client.setSecret(name, value, { tags })),
    async update(name, version, change) {
      await client.updateSecretProperties(name, version, change);
    },
    async list() {
      const out: VaultItem[] = [];
      for await (const p of client.listPropertiesOfSecrets()) out.push(itemOf(p));
      return out;
    },
    getDeleted: async (name) => itemOf((await client.getDeletedSecret(name)).properties),
    async remove(name) {
      await (await client.beginDeleteSecret(name, poll)).pollUntilDone();
    },
    async recover(name) {
      await (await client.beginRecoverDeletedSecret(name, poll)).pollUntilDone();
    },
    purge: (name) => client.purgeDeletedSecret(name),
  };
}

export function unconfiguredApi(error: () => Error): KeyVaultApi {
  const fail = () => Promise.reject(error());
  return { get: fail, set: fail, update: fail, list: fail, getDeleted: fail, remove: fail, recover: fail, purge: fail };
}
