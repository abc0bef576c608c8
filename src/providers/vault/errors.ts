import { CliError, ExitCode, unreachableError } from "../../core/errors.js";
import { VaultHttpError } from "./client.js";

export type Capability = "read" | "list" | "create" | "update" | "patch" | "delete";

export interface VaultRequest {
  readonly capability: Capability;
  readonly path: string;
}

/** Names the path and the capability, never a value. */
export function toCliError(error: VaultHttpError, spec: VaultRequest, address: string): CliError {
  const { status, attempts } = error;
  const what = `${spec.capability} on ${spec.path}`;
  if (status === undefined) {
    return unreachableError(
      "VAULT_UNREACHABLE",
      `cannot reach Vault at ${address} (${error.code})${attempts > 1 ? ` after ${attempts} attempts` : ""}`,
      "check --address / VAULT_ADDR; for TLS problems VAULT_CACERT or VAULT_SKIP_VERIFY",
    );
  }
  const said = serverMessage(error.errors);
  if (status === 403) {
    return unreachableError(
      "VAULT_PERMISSION_DENIED",
      `Vault denied ${what}`,
      `the token's policy needs capabilities = ["${spec.capability}"] on path "${spec.path}"`,
    );
  }
  if (status === 503) {
    const sealed = /sealed/i.test(said);
    return unreachableError(
      sealed ? "VAULT_SEALED" : "VAULT_UNAVAILABLE",
      sealed ? `Vault at ${address} is sealed` : `Vault at ${address} is unavailable (503${said ? `: ${said}` : ""})`,
      sealed ? "unseal it (vault operator unseal) and run again" : "check that Vault is initialised, unsealed and has an active node",
    );
  }
  if (status === 429 || status === 412) {
    return new CliError("VAULT_THROTTLED", `Vault still refused ${what} with ${status} after ${attempts} attempts`, {
      exitCode: ExitCode.failed,
      hint: status === 429 ? "lower --concurrency or raise the rate-limit quota" : "the performance standby did not catch up; retry later",
    });
  }
  const after = attempts > 1 ? ` after ${attempts} attempts` : "";
  return new CliError(status >= 500 ? "VAULT_SERVER_ERROR" : "VAULT_REQUEST_FAILED", `Vault answered ${status} to ${what}${after}${said ? `: ${said}` : ""}`, {
    exitCode: ExitCode.failed,
  });
}

/** go-multierror's "1 error occurred:\n\t* x\n\n" becomes "x"; messages name paths, not values, and are still cut short. */
export function serverMessage(errors: readonly string[]): string {
  const lines = errors.flatMap((e) => e.split("\n")).map((l) => l.trim());
  const items = lines.filter((l) => l.startsWith("* ")).map((l) => l.slice(2));
  const text = (items.length > 0 ? items : lines.filter((l) => l !== "" && !/errors? occurred:$/.test(l))).join("; ");
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

export const isHttpError = (e: unknown, ...statuses: number[]): e is VaultHttpError =>
  e instanceof VaultHttpError && e.status !== undefined && (statuses.length === 0 || statuses.includes(e.status));
