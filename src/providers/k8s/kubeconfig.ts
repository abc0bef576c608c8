import { usageError } from "../../core/errors.js";
import { coreV1Seam, type K8sSecretsApi } from "./client.js";
import type { KubeconfigSource } from "./settings.js";

export interface KubeConnection {
  readonly api: K8sSecretsApi;
  readonly server: string;
  readonly contextNamespace: string | undefined;
}

type ClientModule = typeof import("@kubernetes/client-node");

/** The client library is an optional dependency, loaded only when the k8s provider is used. */
export async function loadClient(importer: () => Promise<ClientModule> = () => import("@kubernetes/client-node")): Promise<ClientModule> {
  try {
    return await importer();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") throw error;
    throw usageError(
      "K8S_CLIENT_MISSING",
      "the k8s provider needs the @kubernetes/client-node package",
      "install @kubernetes/client-node (npm install @kubernetes/client-node)",
    );
  }
}

/** Reads the kubeconfig (merging a KUBECONFIG list as kubectl does: the first current-context wins). */
export async function connectKubeconfig(source: KubeconfigSource): Promise<KubeConnection> {
  const k8s = await loadClient();
  const kc = new k8s.KubeConfig();
  let where = "the in-cluster service account";
  try {
    if (source.kind === "in-cluster") kc.loadFromCluster();
    else {
      for (const [i, path] of source.paths.entries()) {
        where = path;
        if (i === 0) kc.loadFromFile(path);
        else {
          const more = new k8s.KubeConfig();
          more.loadFromFile(path);
          kc.mergeConfig(more, Boolean(kc.getCurrentContext()));
        }
      }
    }
  } catch (error) {
    throw usageError("K8S_CONFIG", `cannot read the kubeconfig (${where}): ${(error as Error).message.split("\n")[0]}`, "check it with `kubectl config view`");
  }
  const context = kc.getContextObject(kc.getCurrentContext());
  const cluster = kc.getCurrentCluster();
  if (!context || !cluster) {
    throw usageError("K8S_CONFIG", `the kubeconfig (${where}) has no usable current context`, "pick one with `kubectl config use-context <name>`");
  }
  // client-node refuses plain http unless TLS verification is explicitly off; say so up front.
  if (cluster.server.startsWith("http:") && !cluster.skipTLSVerify) {
    throw usageError(
      "K8S_CONFIG",
      `cluster "${cluster.name}" uses plain http (${cluster.server})`,
      "use https, or set insecure-skip-tls-verify: true for that cluster",
    );
  }
  return { api: coreV1Seam(kc.makeApiClient(k8s.CoreV1Api)), server: cluster.server, contextNamespace: context.namespace };
}
