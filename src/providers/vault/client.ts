import type NodeVault from "node-vault";

/** The parts of a Vault response body the provider reads. */
export interface VaultBody {
  readonly data?: unknown;
  readonly auth?: { readonly client_token?: string; readonly lease_duration?: number; readonly renewable?: boolean } | null;
  readonly warnings?: readonly string[] | null;
}

/**
 * The narrow set of node-vault calls the provider uses (chamber's `awsapi.go` idea): production
 * passes the real client, tests the real client pointed at `test/servers/vault.ts`.
 */
export interface VaultApi {
  read(path: string): Promise<VaultBody>;
  list(path: string): Promise<VaultBody>;
  write(path: string, body: Record<string, unknown>): Promise<VaultBody>;
  /** JSON merge patch (`application/merge-patch+json`). */
  patch(path: string, body: Record<string, unknown>): Promise<VaultBody>;
  delete(path: string): Promise<void>;
  /** Logs in and makes the returned token the client's token. */
  approleLogin(mount: string, roleId: string, secretId: string): Promise<VaultBody>;
  renewSelf(): Promise<VaultBody>;
  lookupSelf(): Promise<VaultBody>;
}

/**
 * A failed call, reduced to what is safe to keep: status, Vault's `errors`, the body (404s of
 * deleted versions carry metadata) or the network code. The SDK's own error is dropped on purpose:
 * axios errors hold the request config, whose `data` is the secret being written.
 */
export class VaultHttpError extends Error {
  /** How many attempts the call took (set by the caller's retry loop). */
  attempts = 1;

  constructor(
    readonly status: number | undefined,
    readonly errors: readonly string[],
    readonly body: VaultBody | undefined,
    readonly code?: string,
  ) {
    super(status === undefined ? `network error (${code ?? "unknown"})` : `Vault answered ${status}`);
    this.name = "VaultHttpError";
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

export function toVaultHttpError(error: unknown): VaultHttpError {
  if (error instanceof VaultHttpError) return error;
  const e = isRecord(error) ? error : {};
  const response = isRecord(e.response) ? e.response : undefined;
  if (response && typeof response.statusCode === "number") {
    const body = isRecord(response.body) ? response.body : undefined;
    const errors = Array.isArray(body?.errors) ? body.errors.map(String) : [];
    return new VaultHttpError(response.statusCode, errors, body as VaultBody | undefined);
  }
  return new VaultHttpError(undefined, [], undefined, typeof e.code === "string" ? e.code : "EUNKNOWN");
}

const body = (v: unknown): VaultBody => (isRecord(v) ? (v as VaultBody) : {});

export interface NodeVaultSettings {
  readonly address: string;
  readonly token: string | undefined;
  readonly namespace: string | undefined;
  readonly ca: string | undefined;
  readonly skipVerify: boolean;
  readonly timeoutMs: number;
}

/**
 * Wraps a node-vault client. `noCustomHTTPVerbs` makes LIST a `GET ?list=1` (proxies and Node's
 * own HTTP parser reject the LIST verb). Everything node-vault would otherwise take from
 * `process.env` (VAULT_ADDR, VAULT_TOKEN, VAULT_NAMESPACE, VAULT_PREFIX, VAULT_SKIP_VERIFY) is set
 * explicitly so only the provider context's environment counts, and its debug logger (which
 * prints request bodies under DEBUG=node-vault) is silenced.
 */
export function nodeVaultApi(factory: typeof NodeVault, s: NodeVaultSettings): VaultApi {
  const client = factory({
    endpoint: s.address,
    noCustomHTTPVerbs: true,
    debug: () => undefined,
    requestOptions: { strictSSL: !s.skipVerify, timeout: s.timeoutMs, ...(s.ca ? { ca: s.ca } : {}) },
  });
  const loose = client as unknown as { token: string | undefined; namespace: string | undefined; pathPrefix: string; endpoint: string };
  loose.token = s.token ?? "";
  loose.namespace = s.namespace;
  loose.pathPrefix = "";
  loose.endpoint = s.address.replace(/\/+$/, "");
  const wrap = async (call: () => Promise<unknown>): Promise<VaultBody> => {
    try {
      return body(await call());
    } catch (error) {
      throw toVaultHttpError(error);
    }
  };
  return {
    read: (path) => wrap(() => client.read(path)),
    list: (path) => wrap(() => client.list(path)),
    write: (path, data) => wrap(() => client.write(path, data)),
    patch: (path, data) => wrap(() => client.update(path, data)),
    delete: async (path) => {
      await wrap(() => client.delete(path));
    },
    approleLogin: (mount, roleId, secretId) => wrap(() => client.approleLogin({ mount_point: mount, role_id: roleId, secret_id: secretId })),
    renewSelf: () => wrap(() => client.tokenRenewSelf()),
    lookupSelf: () => wrap(() => client.tokenLookupSelf()),
  };
}
