import type { CliError } from "../../core/errors.js";
import type { ProviderContext } from "../shared/context.js";
import type { ProviderStats } from "../types.js";
import { type K8sHttpError, type K8sSecretsApi, toK8sHttpError } from "./client.js";
import { toCliError, type Verb } from "./errors.js";

const RETRYABLE_CODES = new Set(["ECONNRESET", "ETIMEDOUT", "EPIPE", "EAI_AGAIN"]);
const MAX_ATTEMPTS = 4;
const BASE_DELAY_MS = 200;

/**
 * Reads are retried on 429, 5xx and dropped connections; writes only on 429 (rejected before they
 * happen), since a retried write that landed would come back as a false conflict.
 */
export class K8sCaller {
  constructor(
    private readonly api: K8sSecretsApi,
    private readonly ctx: Pick<ProviderContext, "clock" | "onEvent">,
    private readonly stats: ProviderStats,
    readonly server: string,
    readonly namespace: string,
  ) {}

  /** `expect`: statuses the caller handles itself (409 on writes). */
  async call<T>(verb: Verb, name: string | undefined, fn: (api: K8sSecretsApi) => Promise<T>, expect: readonly number[] = []): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      this.stats.apiCalls++;
      try {
        return await fn(this.api);
      } catch (raw) {
        const error = toK8sHttpError(raw);
        if (error.status !== undefined && expect.includes(error.status)) throw error;
        const retry = attempt < MAX_ATTEMPTS && retryable(error, verb);
        if (!retry) throw this.toCliError(error, verb, name);
        const delay = Math.round(BASE_DELAY_MS * 2 ** (attempt - 1) * (0.75 + Math.random() / 2));
        this.ctx.onEvent(
          error.status === 429 ? { type: "throttled", retryInMs: delay } : { type: "retry", reason: `${describe(error)} on ${verb} secrets`, retryInMs: delay },
        );
        await this.ctx.clock.sleep(delay);
      }
    }
  }

  toCliError(error: K8sHttpError, verb: Verb, name: string | undefined): CliError {
    return toCliError(error, { verb, name, server: this.server, namespace: this.namespace });
  }
}

function retryable(error: K8sHttpError, verb: Verb): boolean {
  if (error.status === 429) return true;
  if (verb !== "get" && verb !== "list") return false;
  if (error.status === undefined) return RETRYABLE_CODES.has(error.code ?? "");
  return error.status >= 500 && error.status !== 501;
}

const describe = (e: K8sHttpError) => (e.status === undefined ? `connection problem (${e.code ?? "network"})` : `Kubernetes answered ${e.status}`);
