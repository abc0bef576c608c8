import { CliError, ExitCode, unreachableError, usageError } from "../../core/errors.js";

/** The service's error name (`__type`), or the Node error code for network failures. */
export function errorName(e: unknown): string {
  if (typeof e !== "object" || e === null) return "Error";
  const { name, code } = e as { name?: unknown; code?: unknown };
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return code;
  return typeof name === "string" ? name : "Error";
}

const THROTTLES = new Set(["ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded", "RequestThrottled"]);

/** Quota throttling: retry later. LimitExceededException is deliberately not here (version quota). */
export function isThrottle(e: unknown): boolean {
  const status = (e as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  return status === 429 || THROTTLES.has(errorName(e));
}

const CREDENTIALS = new Set([
  "CredentialsProviderError",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "IncompleteSignature",
  "MissingAuthenticationTokenException",
  "ExpiredTokenException",
  "ExpiredToken",
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
  "TokenRefreshRequired",
]);
const NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "TimeoutError"]);

const CREDENTIALS_HINT =
  "set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, choose a profile with --profile or AWS_PROFILE, or run `aws sso login`; check the clock if signatures are refused";

/** One line of the SDK's message, with the value (when known) cut out: messages never carry secrets. */
function reason(e: unknown, value?: string): string {
  let text = e instanceof Error ? e.message : String(e);
  if (value !== undefined && value.length >= 4) text = text.split(value).join("[redacted]");
  const line = text.split(/\r?\n/).find((l) => l.trim() !== "") ?? "";
  return (line.length > 300 ? `${line.slice(0, 300)}…` : line).trim() || errorName(e);
}

export interface AwsCallContext {
  readonly op: string;
  readonly name?: string;
  readonly value?: string;
  readonly endpoint?: string;
}

/** What a failed call means for the user, as a CliError with a code and a hint. */
export function toCliError(e: unknown, ctx: AwsCallContext): CliError {
  if (e instanceof CliError) return e;
  const type = errorName(e);
  const why = reason(e, ctx.value);
  const where = ctx.name === undefined ? ctx.op : `${ctx.op} ${ctx.name}`;
  if (type === "CredentialsProviderError") return unreachableError("AWS_CREDENTIALS", `no usable AWS credentials: ${why}`, CREDENTIALS_HINT, e);
  if (CREDENTIALS.has(type)) return unreachableError("AWS_CREDENTIALS", `AWS refused the credentials: ${why}`, CREDENTIALS_HINT, e);
  if (/region is missing/i.test(why)) {
    return usageError("AWS_REGION_MISSING", "no AWS region configured", "pass --region or set AWS_REGION");
  }
  if (type === "AccessDeniedException") {
    return unreachableError(
      "AWS_ACCESS_DENIED",
      `${where}: access denied (${why})`,
      `grant secretsmanager:${ctx.op} to the identity in use, or pick another one with --profile / AWS_PROFILE`,
    );
  }
  if (NETWORK.has(type)) {
    const endpoint = ctx.endpoint ?? "the regional endpoint";
    return unreachableError(
      "AWS_UNREACHABLE",
      `cannot reach AWS Secrets Manager at ${endpoint}: ${why}`,
      "check --endpoint / AWS_ENDPOINT_URL_SECRETS_MANAGER, the region and the network",
      e,
    );
  }
  if (isThrottle(e)) {
    return new CliError("AWS_THROTTLED", `${where}: still throttled after repeated retries`, {
      exitCode: ExitCode.failed,
      hint: "lower --concurrency, or run when the account is less busy",
    });
  }
  if (type === "LimitExceededException") {
    return new CliError("AWS_LIMIT_EXCEEDED", `${where}: ${why}`, {
      exitCode: ExitCode.failed,
      hint: "AWS keeps at most 100 versions per secret and prunes none younger than 24 h; wait before updating this secret again",
    });
  }
  return new CliError("AWS_REQUEST_FAILED", `${where}: ${type}: ${why}`, { exitCode: ExitCode.failed });
}
