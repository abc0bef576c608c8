import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { usageError } from "../../core/errors.js";
import { deriveSecretName, dnsSubdomainProblem } from "../../core/kubernetes-names.js";
import type { ProviderContext } from "../shared/context.js";
import { nonEmpty } from "../shared/settings.js";
import { DEFAULT_SECRET_NAME, namespaceProblem } from "./names.js";

export type K8sLayout = "single" | "per-secret";

export interface K8sSettings {
  readonly namespace: string;
  readonly layout: K8sLayout;
  readonly secretName: string;
}

export type KubeconfigSource = { readonly kind: "files"; readonly paths: string[] } | { readonly kind: "in-cluster" };

/** As kubectl finds it: KUBECONFIG (missing files skipped), ~/.kube/config, else in-cluster. */
export function kubeconfigSource(env: ProviderContext["env"]): KubeconfigSource {
  const listed = nonEmpty(env.KUBECONFIG);
  if (listed) {
    const paths = listed.split(delimiter).filter((p) => p !== "" && existsSync(p));
    if (paths.length > 0) return { kind: "files", paths };
    throw usageError("K8S_CONFIG", `none of the files in KUBECONFIG exist (${listed})`, "point KUBECONFIG at a kubeconfig file");
  }
  const home = nonEmpty(env.HOME) ?? nonEmpty(env.USERPROFILE);
  const file = home ? join(home, ".kube", "config") : undefined;
  if (file && existsSync(file)) return { kind: "files", paths: [file] };
  if (nonEmpty(env.KUBERNETES_SERVICE_HOST)) return { kind: "in-cluster" };
  throw usageError(
    "K8S_CONFIG",
    "no kubeconfig found (KUBECONFIG, ~/.kube/config) and not running in a cluster",
    "set KUBECONFIG or run `kubectl config view` to check",
  );
}

/** The single layout's Secret: `--secret-name`, else named after the first source file, else `app-env`. */
export function resolveK8sSettings(ctx: Pick<ProviderContext, "options" | "env">, contextNamespace: string | undefined): K8sSettings {
  const { options: o, env } = ctx;
  const namespace = nonEmpty(o.namespace) ?? nonEmpty(env.K8S_SECRET_NAMESPACE) ?? nonEmpty(contextNamespace) ?? "default";
  const nsProblem = namespaceProblem(namespace);
  if (nsProblem) throw usageError("K8S_CONFIG", `namespace "${namespace}": ${nsProblem}`, "set --namespace or K8S_SECRET_NAMESPACE");

  const layout = nonEmpty(o.layout) ?? "single";
  if (layout !== "single" && layout !== "per-secret") throw usageError("K8S_CONFIG", `--layout must be single or per-secret, got "${layout}"`);

  const given = nonEmpty(o.secretName);
  const source = nonEmpty(o.sourceFile);
  const secretName = given ?? (source ? deriveSecretName(source) : DEFAULT_SECRET_NAME);
  const problem = dnsSubdomainProblem(secretName);
  if (problem) throw usageError("K8S_CONFIG", `--secret-name "${secretName}": ${problem}`, "e.g. --secret-name app-env");
  return { namespace, layout, secretName };
}
