import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import { type KubernetesServer, type KubernetesServerOptions, startKubernetesServer } from "../servers/kubernetes.js";
import { tmpdir } from "./tmpdir.js";

export interface K8sHarnessOptions extends KubernetesServerOptions {
  readonly namespace?: string;
  /** The single layout's Secret; default `secretshift-suite`. */
  readonly secretName?: string;
  readonly layout?: "single" | "per-secret";
  /** Token the kubeconfig carries (default the server's first). */
  readonly token?: string;
}

export interface K8sHarness {
  readonly server: KubernetesServer;
  readonly namespace: string;
  readonly kubeconfig: string;
  /** Environment for a CLI run against the test server. */
  readonly env: Record<string, string>;
  /** Provider flags as argv, and as the `options` map a provider factory receives. */
  readonly args: readonly string[];
  readonly options: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * The k8s provider pointed at a fresh loopback API server through a kubeconfig file, as a user's
 * would be: token auth, a context whose namespace the environment overrides. client-node refuses
 * plain http unless the cluster says insecure-skip-tls-verify, so the loopback cluster does.
 */
export async function startK8sHarness(options: K8sHarnessOptions = {}): Promise<K8sHarness> {
  const server = await startKubernetesServer(options);
  const namespace = options.namespace ?? "secretshift-test";
  const dir = await tmpdir();
  const kubeconfig = join(dir, "kubeconfig");
  await writeFile(
    kubeconfig,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "loopback", cluster: { server: server.url, "insecure-skip-tls-verify": true } }],
      users: [{ name: "migrator", user: { token: options.token ?? server.token } }],
      contexts: [{ name: "test", context: { cluster: "loopback", user: "migrator", namespace: "default" } }],
      "current-context": "test",
    }),
  );
  const secretName = options.secretName ?? "secretshift-suite";
  const layout = options.layout ?? "single";
  const opts: Record<string, string> = layout === "single" ? { secretName } : { layout };
  return {
    server,
    namespace,
    kubeconfig,
    env: { KUBECONFIG: kubeconfig, K8S_SECRET_NAMESPACE: namespace, KUBERNETES_SERVICE_HOST: "", SECRETS_NAMESPACE: "" },
    args: layout === "single" ? ["--secret-name", secretName] : ["--layout", layout],
    options: opts,
    stop: () => server.stop(),
  };
}
