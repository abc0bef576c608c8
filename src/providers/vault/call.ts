import type { CliError } from "../../core/errors.js";
import type { ProviderContext } from "../shared/context.js";
import type { ProviderStats } from "../types.js";
import { toVaultHttpError, type VaultApi, type VaultHttpError } from "./client.js";
import { toCliError, type VaultRequest } from "./errors.js";

export interface CallSpec extends VaultRequest {
  /** Statuses the caller handles itself (404 for reads, 400 for check-and-set). */
  readonly expect?: readonly number[];
  readonly unauthenticated?: boolean;
}

// Connection failures worth another try; refused connections and TLS failures are not.
const RETRYABLE_CODES = new Set(["ECONNRESET", "ETIMEDOUT", "ECONNABORTED", "EPIPE", "EAI_AGAIN", "ERR_BAD_RESPONSE"]);
const BASE_DELAY_MS = 250;
const MAX_DELAY_MS = 8000;

/** Every request: token freshness, the call count, retries (429, 412, 5xx, dropped connections), error mapping. */
export class VaultCaller {
  beforeCall: () => Promise<void> = async () => undefined;
  onDenied: (epoch: number) => Promise<boolean> = async () => false;
  /** Changes with every login, so a 403 on a token replaced mid-call is retried. */
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
    return toCliError(error, spec, this.address);
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
