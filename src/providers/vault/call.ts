import { CliError, ExitCode, unreachableError } from "../../core/errors.js";
import type { ProviderContext } from "../shared/context.js";
import type { ProviderStats } from "../types.js";
import { toVaultHttpError, type VaultApi, VaultHttpError } from "./client.js";

export type Capability = "read" | "list" | "create" | "update" | "patch" | "delete";

export interface CallSpec {
  /** The policy capability this request needs, named in a 403 message. */
  readonly capability: Capability;
  /** The API path as policies name it (`secret/data/app/db`). */
  readonly path: string;
  /** Statuses the caller handles itself (404 for reads, 400 for check-and-set): thrown as VaultHttpError. */
  readonly expect?: readonly number[];
  /** Skip the token freshness check (auth calls themselves). */
  readonly unauthenticated?: boolean;
}

// Connection failures worth another try; refused connections and TLS failures are not.
const RETRYABLE_CODES = new Set(["ECONNRESET", "ETIMEDOUT", "ECONNABORTED", "EPIPE", "EAI_AGAIN", "ERR_BAD_RESPONSE"]);
const BASE_DELAY_MS = 250;
const MAX_DELAY_MS = 8000;

/**
 * Every request goes through here: token freshness, the API-call count, retry with backoff
 * (429 quota, 412 performance standby, 5xx, dropped connections) reported through `onEvent`,
 * and the mapping of what is left to CliErrors that name the path but never a value.
 */
export class VaultCaller {
  /** Set by the session: renews or replaces the token when it is past half its TTL. */
  beforeCall: () => Promise<void> = async () => undefined;
  /** Set by the session: on 403, log in again if the token has expired; true = retry. */
  onDenied: (epoch: number) => Promise<boolean> = async () => false;
  /** Set by the session: changes with every login, so a 403 on a token replaced mid-call is retried with the new one. */
  tokenEpoch: () => number = () => 0;

  constructor(
    private readonly api: VaultApi,
    private readonly ctx: Pick<ProviderContext, "clock" | "onEvent">,
    private readonly stats: ProviderStats,
    readonly address: string,
    private readonly maxAttempts: number,
  ) {}

  async call<T>(spec: CallSpec, fn: (api: VaultApi) => Promise<T>): Promise<T> {
    let relogged = false;
    for (let attempt = 1; ; attempt++) {
      if (!spec.unauthenticated) await this.beforeCall();
      const epoch = this.tokenEpoch();
      this.stats.apiCalls++;
      try {
        return await fn(this.api);
      } catch (raw) {
        const error = toVaultHttpError(raw);
        error.attempts = attempt;
        if (error.status !== undefined && spec.expect?.includes(error.status)) throw error;
        if (error.status === 403 && !spec.unauthenticated && !relogged && (await this.onDenied(epoch))) {
          relogged = true;
          continue;
        }
        const reason = retryReason(error);
        if (reason === undefined || attempt >= this.maxAttempts) throw this.toCliError(error, spec);
        const delay = Math.round(Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1)) * (0.75 + Math.random() / 2));
        this.ctx.onEvent(
          error.status === 429 ? { type: "throttled", retryInMs: delay } : { type: "retry", reason: `${reason} on ${spec.path}`, retryInMs: delay },
        );
        await this.ctx.clock.sleep(delay);
      }
    }
  }

  toCliError(error: VaultHttpError, spec: CallSpec): CliError {
    const { status, attempts } = error;
    const what = `${spec.capability} on ${spec.path}`;
    if (status === undefined) {
      return unreachableError(
        "VAULT_UNREACHABLE",
        `cannot reach Vault at ${this.address} (${error.code})${attempts > 1 ? ` after ${attempts} attempts` : ""}`,
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
        sealed ? `Vault at ${this.address} is sealed` : `Vault at ${this.address} is unavailable (503${said ? `: ${said}` : ""})`,
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
    return new CliError(
      status >= 500 ? "VAULT_SERVER_ERROR" : "VAULT_REQUEST_FAILED",
      `Vault answered ${status} to ${what}${after}${said ? `: ${said}` : ""}`,
      {
        exitCode: ExitCode.failed,
      },
    );
  }
}

function retryReason(error: VaultHttpError): string | undefined {
  const { status } = error;
  if (status === undefined) return RETRYABLE_CODES.has(error.code ?? "") ? `connection problem (${error.code})` : undefined;
  if (status === 429) return "rate limited (429)";
  if (status === 412) return "performance standby not up to date (412)";
  if (status >= 500 && status !== 501 && status !== 503) return `Vault answered ${status}`;
  return undefined;
}

/**
 * One line from Vault's `errors`: go-multierror's "1 error occurred:\n\t* x\n\n" becomes "x".
 * Vault's messages name paths and rules, not request values; they are still cut short.
 */
export function serverMessage(errors: readonly string[]): string {
  const lines = errors.flatMap((e) => e.split("\n")).map((l) => l.trim());
  const items = lines.filter((l) => l.startsWith("* ")).map((l) => l.slice(2));
  const text = (items.length > 0 ? items : lines.filter((l) => l !== "" && !/errors? occurred:$/.test(l))).join("; ");
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

export const isHttpError = (e: unknown, ...statuses: number[]): e is VaultHttpError =>
  e instanceof VaultHttpError && e.status !== undefined && (statuses.length === 0 || statuses.includes(e.status));
