import { CliError, ExitCode, unreachableError } from "../../core/errors.js";

interface Shape {
  name?: unknown;
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
  response?: { headers?: { get?(name: string): string | undefined } };
  details?: { error?: { innerError?: { code?: unknown } } };
}

const shape = (e: unknown): Shape => (typeof e === "object" && e !== null ? (e as Shape) : {});

export const statusOf = (e: unknown): number | undefined => (typeof shape(e).statusCode === "number" ? (shape(e).statusCode as number) : undefined);

export const codeOf = (e: unknown): string => (typeof shape(e).code === "string" ? (shape(e).code as string) : "");

export const isThrottle = (e: unknown): boolean => statusOf(e) === 429;

/** `deleted`: recoverable (ObjectIsDeletedButRecoverable); `busy`: a delete or recovery still running ("retry later"). */
export function conflictOf(e: unknown): "deleted" | "busy" | undefined {
  if (statusOf(e) !== 409) return undefined;
  const inner = shape(e).details?.error?.innerError?.code;
  const text = `${typeof inner === "string" ? inner : ""} ${typeof shape(e).message === "string" ? shape(e).message : ""}`;
  if (/ObjectIsBeing|being (deleted|recovered)/i.test(text)) return "busy";
  return "deleted";
}

/** `Retry-After` in seconds or as a date, or `retry-after-ms`. */
export function retryAfterMs(e: unknown): number | undefined {
  const get = (h: string) => shape(e).response?.headers?.get?.(h);
  const ms = Number(get("retry-after-ms") ?? get("x-ms-retry-after-ms"));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const raw = get("retry-after");
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function reason(e: unknown, value?: string): string {
  let text = typeof shape(e).message === "string" ? (shape(e).message as string) : String(e);
  if (value !== undefined && value.length >= 4) text = text.split(value).join("[redacted]");
  const line = text.split(/\r?\n/).find((l) => l.trim() !== "") ?? "";
  return (line.length > 300 ? `${line.slice(0, 300)}…` : line).trim() || codeOf(e) || "error";
}

export interface AzureCallContext {
  readonly op: string;
  readonly name?: string;
  readonly value?: string;
  readonly vaultUrl: string;
}

const CREDENTIALS_HINT = "set AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET, use a managed or workload identity, or run `az login`";
const CREDENTIAL_ERRORS = new Set(["CredentialUnavailableError", "AuthenticationError", "AggregateAuthenticationError", "AuthenticationRequiredError"]);

export function toCliError(e: unknown, ctx: AzureCallContext): CliError {
  if (e instanceof CliError) return e;
  const status = statusOf(e);
  const why = reason(e, ctx.value);
  const where = ctx.name === undefined ? ctx.op : `${ctx.op} ${ctx.name}`;
  const name = typeof shape(e).name === "string" ? (shape(e).name as string) : "";
  if (CREDENTIAL_ERRORS.has(name)) return unreachableError("AZURE_CREDENTIALS", `no usable Azure credentials: ${why}`, CREDENTIALS_HINT, e);
  if (status === 401) return unreachableError("AZURE_CREDENTIALS", `Azure Key Vault refused the credentials: ${why}`, CREDENTIALS_HINT, e);
  if (status === 403) {
    return unreachableError(
      "AZURE_ACCESS_DENIED",
      `${where}: access denied (${why})`,
      "grant the identity the Key Vault Secrets Officer role (or get/list/set/delete/recover/purge access policies)",
    );
  }
  if (status === undefined && (codeOf(e) === "REQUEST_SEND_ERROR" || /^E[A-Z]+$/.test(codeOf(e)))) {
    return unreachableError(
      "AZURE_UNREACHABLE",
      `cannot reach Azure Key Vault at ${ctx.vaultUrl}: ${why}`,
      "check --vault-url / AZURE_KEYVAULT_URL and the network",
      e,
    );
  }
  if (status === 429) {
    return new CliError("AZURE_THROTTLED", `${where}: still throttled after repeated retries`, {
      exitCode: ExitCode.failed,
      hint: "Key Vault allows about 4,000 secret operations per 10 s per vault; lower --concurrency or run later",
    });
  }
  return new CliError("AZURE_REQUEST_FAILED", `${where}: ${codeOf(e) || status || "error"}: ${why}`, { exitCode: ExitCode.failed });
}
