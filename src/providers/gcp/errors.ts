import { CliError, ExitCode, unreachableError, usageError } from "../../core/errors.js";

const GRPC: Record<number, string> = {
  3: "INVALID_ARGUMENT",
  4: "DEADLINE_EXCEEDED",
  5: "NOT_FOUND",
  6: "ALREADY_EXISTS",
  7: "PERMISSION_DENIED",
  8: "RESOURCE_EXHAUSTED",
  9: "FAILED_PRECONDITION",
  10: "ABORTED",
  14: "UNAVAILABLE",
  16: "UNAUTHENTICATED",
};
const HTTP: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ABORTED",
  429: "RESOURCE_EXHAUSTED",
  503: "UNAVAILABLE",
};

interface Shape {
  status?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

/** Over REST the JSON body's `status`; over gRPC a numeric code; else the Node error code. */
export function statusOf(e: unknown, depth = 0): string {
  if (typeof e !== "object" || e === null || depth > 3) return "UNKNOWN";
  const { status, code, message, cause } = e as Shape;
  const body = typeof message === "string" ? /"status"\s*:\s*"([A-Z_]+)"/.exec(message)?.[1] : undefined;
  if (body) return body;
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return code;
  if (typeof status === "number") return HTTP[status] ?? (status >= 500 ? "UNAVAILABLE" : "UNKNOWN");
  if (typeof code === "number" && GRPC[code]) return GRPC[code] as string;
  return cause === undefined ? "UNKNOWN" : statusOf(cause, depth + 1);
}

export const isThrottle = (e: unknown): boolean => statusOf(e) === "RESOURCE_EXHAUSTED";

/** One line, never a value. */
function reason(e: unknown, value?: string): string {
  const raw = e instanceof Error ? e.message : String(e);
  let text = raw;
  try {
    const parsed = JSON.parse(raw) as { error?: { message?: string } };
    if (typeof parsed.error?.message === "string") text = parsed.error.message;
  } catch {}
  if (value !== undefined && value.length >= 4) text = text.split(value).join("[redacted]");
  const line = text.split(/\r?\n/).find((l) => l.trim() !== "") ?? "";
  return (line.length > 300 ? `${line.slice(0, 300)}…` : line).trim() || statusOf(e);
}

export interface GcpCallContext {
  readonly op: string;
  readonly name?: string;
  readonly value?: string;
  readonly endpoint?: string;
}

const CREDENTIALS_HINT = "run `gcloud auth application-default login`, or point GOOGLE_APPLICATION_CREDENTIALS at a service-account key file";
const NETWORK = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "DEADLINE_EXCEEDED",
  "UNAVAILABLE",
]);

export function toCliError(e: unknown, ctx: GcpCallContext): CliError {
  if (e instanceof CliError) return e;
  const status = statusOf(e);
  const why = reason(e, ctx.value);
  const where = ctx.name === undefined ? ctx.op : `${ctx.op} ${ctx.name}`;
  if (/could not load the default credentials|unable to detect a project id/i.test(why)) {
    return /project/i.test(why)
      ? usageError("GCP_PROJECT_MISSING", "no GCP project configured", "pass --project or set GOOGLE_CLOUD_PROJECT")
      : unreachableError("GCP_CREDENTIALS", `no usable Google credentials: ${why}`, CREDENTIALS_HINT, e);
  }
  if (status === "UNAUTHENTICATED") return unreachableError("GCP_CREDENTIALS", `Google refused the credentials: ${why}`, CREDENTIALS_HINT, e);
  if (status === "PERMISSION_DENIED") {
    return unreachableError(
      "GCP_ACCESS_DENIED",
      `${where}: permission denied (${why})`,
      "grant roles/secretmanager.admin (or the matching secretmanager.* permissions) on the project",
    );
  }
  if (NETWORK.has(status)) {
    return unreachableError(
      "GCP_UNREACHABLE",
      `cannot reach Secret Manager at ${ctx.endpoint ?? "secretmanager.googleapis.com"}: ${why}`,
      "check --endpoint, the project and the network",
      e,
    );
  }
  if (status === "RESOURCE_EXHAUSTED") {
    return new CliError("GCP_THROTTLED", `${where}: still over quota after repeated retries`, {
      exitCode: ExitCode.failed,
      hint: "Secret Manager allows 600 writes a minute per project; lower --concurrency or run later",
    });
  }
  return new CliError("GCP_REQUEST_FAILED", `${where}: ${status}: ${why}`, { exitCode: ExitCode.failed });
}
