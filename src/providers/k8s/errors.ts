import { CliError, ExitCode, unreachableError } from "../../core/errors.js";
import { K8sHttpError } from "./client.js";

/** The RBAC verb a request needs. */
export type Verb = "get" | "list" | "create" | "update" | "delete";

export interface K8sRequest {
  readonly verb: Verb;
  readonly name: string | undefined;
  readonly server: string;
  readonly namespace: string;
}

/** What is left after retries, as one line naming the Secret and the RBAC verb, never a value. */
export function toCliError(error: K8sHttpError, { verb, name, server, namespace }: K8sRequest): CliError {
  const what = `${verb} secrets${name ? ` "${name}"` : ""} in namespace "${namespace}"`;
  if (error.status === undefined) {
    return unreachableError(
      "K8S_UNREACHABLE",
      `cannot reach the Kubernetes API at ${server}: ${error.message}`,
      "check KUBECONFIG (or ~/.kube/config), its current context and the network",
    );
  }
  if (error.status === 401) {
    return unreachableError(
      "K8S_UNAUTHORIZED",
      `the Kubernetes API at ${server} refused the credentials`,
      "refresh the kubeconfig's token or client certificate",
    );
  }
  if (error.status === 403) {
    return unreachableError(
      "K8S_FORBIDDEN",
      `Kubernetes denied ${what}`,
      `the Role bound to this user needs verbs [get, list, create, update, delete] on resource "secrets" in namespace "${namespace}"`,
    );
  }
  const said = error.message.length > 300 ? `${error.message.slice(0, 297)}...` : error.message;
  if (error.status === 422) return new CliError("K8S_INVALID", `Kubernetes refused to ${what}: ${said}`, { exitCode: ExitCode.failed });
  return new CliError(error.status >= 500 ? "K8S_SERVER_ERROR" : "K8S_REQUEST_FAILED", `Kubernetes answered ${error.status} to ${what}: ${said}`, {
    exitCode: ExitCode.failed,
  });
}

export const isStatus = (e: unknown, status: number): e is K8sHttpError => e instanceof K8sHttpError && e.status === status;
