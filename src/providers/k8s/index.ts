import type { ProviderDescriptor } from "../descriptor.js";

export const k8s: ProviderDescriptor<"k8s"> = {
  name: "k8s",
  title: "Kubernetes Secrets (core/v1) in one namespace",
  settings: [
    { key: "namespace", arg: "<ns>", description: "namespace (K8S_SECRET_NAMESPACE)" },
    {
      key: "secretName",
      arg: "<name>",
      description: "the Secret holding the keys, also for export k8s (default from the source file: .env → app-env)",
    },
    { key: "layout", arg: "<layout>", value: { oneOf: ["single", "per-secret"] }, description: "single (one Secret, many keys; default) or per-secret" },
  ],
  env: ["KUBECONFIG", "K8S_SECRET_NAMESPACE"],
  how: "kubeconfig or in-cluster; --namespace",
  starter: ["    # namespace: default"],
  capabilities: { versions: false, rotation: false, anchor: true },
  // Verbs on `secrets`; rotate is not supported, so it needs none.
  policy: {
    uses: () => ({ migrate: ["create", "get", "update"], validate: ["get"], rollback: ["get", "update", "delete"], cleanup: ["get"], run: ["get"] }),
    load: async () => (await import("./policy.js")).renderK8sPolicy,
  },
  load: async () => (await import("./store.js")).createK8sStore,
};
