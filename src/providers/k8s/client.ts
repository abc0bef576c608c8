import type { CoreV1Api, V1Secret } from "@kubernetes/client-node";

/** `data` values are base64. */
export interface WireSecret {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [other: string]: unknown;
  };
  data?: Record<string, string>;
  type?: string;
  [other: string]: unknown;
}

export interface K8sSecretsApi {
  read(namespace: string, name: string): Promise<WireSecret | undefined>;
  list(namespace: string, labelSelector: string): Promise<WireSecret[]>;
  create(namespace: string, body: WireSecret): Promise<WireSecret>;
  /** `body.metadata.resourceVersion` makes it a compare-and-set. */
  replace(namespace: string, name: string, body: WireSecret): Promise<WireSecret>;
  remove(namespace: string, name: string, resourceVersion: string): Promise<void>;
}

export class K8sHttpError extends Error {
  constructor(
    readonly status: number | undefined,
    readonly reason: string | undefined,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = "K8sHttpError";
  }
}

export function toK8sHttpError(raw: unknown): K8sHttpError {
  if (raw instanceof K8sHttpError) return raw;
  const e = (raw ?? {}) as { code?: unknown; body?: unknown; message?: unknown; errno?: unknown; type?: unknown };
  if (typeof e.code === "number") {
    const status = parseStatus(e.body);
    return new K8sHttpError(e.code, status?.reason, status?.message ?? (e.code === 401 ? "Unauthorized" : `HTTP ${e.code}`));
  }
  const code = typeof e.code === "string" ? e.code : typeof e.errno === "string" ? e.errno : undefined;
  const message = typeof e.message === "string" ? (e.message.split("\n")[0] ?? "") : String(raw);
  return new K8sHttpError(undefined, undefined, message, code);
}

function parseStatus(body: unknown): { reason?: string; message?: string } | undefined {
  let value = body;
  if (typeof body === "string") {
    try {
      value = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  if (typeof value !== "object" || value === null || (value as { kind?: unknown }).kind !== "Status") return undefined;
  const { reason, message } = value as { reason?: unknown; message?: unknown };
  return { reason: typeof reason === "string" ? reason : undefined, message: typeof message === "string" ? message : undefined };
}

const wrap = async <T>(fn: () => Promise<T>): Promise<T> => {
  try {
    return await fn();
  } catch (error) {
    throw toK8sHttpError(error);
  }
};

export function coreV1Seam(api: CoreV1Api): K8sSecretsApi {
  const plain = (s: V1Secret): WireSecret => JSON.parse(JSON.stringify(s)) as WireSecret;
  return {
    async read(namespace, name) {
      try {
        return plain(await wrap(() => api.readNamespacedSecret({ name, namespace })));
      } catch (error) {
        if (error instanceof K8sHttpError && error.status === 404) return undefined;
        throw error;
      }
    },
    async list(namespace, labelSelector) {
      const out = await wrap(() => api.listNamespacedSecret({ namespace, labelSelector }));
      return out.items.map(plain);
    },
    create: async (namespace, body) => plain(await wrap(() => api.createNamespacedSecret({ namespace, body: body as V1Secret }))),
    replace: async (namespace, name, body) => plain(await wrap(() => api.replaceNamespacedSecret({ name, namespace, body: body as V1Secret }))),
    async remove(namespace, name, resourceVersion) {
      await wrap(() => api.deleteNamespacedSecret({ name, namespace, body: { preconditions: { resourceVersion } } }));
    },
  };
}
