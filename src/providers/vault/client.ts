import type NodeVault from "node-vault";

export interface VaultBody {
  readonly data?: unknown;
  readonly auth?: { readonly client_token?: string; readonly lease_duration?: number; readonly renewable?: boolean } | null;
  readonly warnings?: readonly string[] | null;
}

/** The node-vault calls the provider uses; tests pass the real client pointed at `test/servers/vault.ts`. */
export interface VaultApi {
  read(path: string): Promise<VaultBody>;
  list(path: string): Promise<VaultBody>;
  write(path: string, body: Record<string, unknown>): Promise<VaultBody>;
  patch(path: string, body: Record<string, unknown>): Promise<VaultBody>;
  delete(path: string): Promise<void>;
  approleLogin(mount: string, roleId: string, secretId: string): Promise<VaultBody>;
  renewSelf(): Promise<VaultBody>;
  lookupSelf(): Promise<VaultBody>;
}

/** Status, Vault's `errors`, the body, the network code: never the SDK's error, whose request config holds the value. */
export class VaultHttpError extends Error {
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
 * LIST as `GET ?list=1` (proxies and Node's HTTP parser reject the verb). Everything node-vault
 * would take from `process.env` is set explicitly, so only the context's environment counts, and
 * its debug logger (request bodies under DEBUG=node-vault) is silenced.
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
