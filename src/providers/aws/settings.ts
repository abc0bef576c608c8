import { usageError } from "../../core/errors.js";
import type { ProviderContext } from "../shared/context.js";
import { nonEmpty } from "../shared/settings.js";
import type { AwsClientConfig } from "./client.js";

/** Everything the aws provider takes from flags (`ctx.options`) and the AWS tooling's environment. */
export interface AwsSettings extends AwsClientConfig {
  readonly kmsKeyId: string | undefined;
  readonly description: string | undefined;
  /** Days a rolled-back created secret stays recoverable; undefined = delete without recovery. */
  readonly recoveryWindow: number | undefined;
  readonly restoreDeleted: boolean;
}

function integer(raw: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw usageError("AWS_BAD_OPTION", `${flag} must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return n;
}

export function resolveAwsSettings(ctx: ProviderContext): AwsSettings {
  const opt = (key: string) => nonEmpty(ctx.options[key]);
  const env = (key: string) => nonEmpty(ctx.env[key]);

  const endpoint = opt("endpoint") ?? env("AWS_ENDPOINT_URL_SECRETS_MANAGER") ?? env("AWS_ENDPOINT_URL");
  if (endpoint !== undefined && !URL.canParse(endpoint)) {
    throw usageError("AWS_BAD_OPTION", `endpoint "${endpoint}" is not a URL`, "use e.g. --endpoint https://secretsmanager.eu-west-1.amazonaws.com");
  }

  // An explicit --profile wins over keys in the environment (as with the AWS CLI); otherwise keys
  // in `ctx.env` are used as given, since the SDK itself would only look at process.env.
  const flagProfile = opt("profile");
  const accessKeyId = env("AWS_ACCESS_KEY_ID");
  const secretAccessKey = env("AWS_SECRET_ACCESS_KEY");
  const sessionToken = env("AWS_SESSION_TOKEN");
  const credentials =
    flagProfile === undefined && accessKeyId !== undefined && secretAccessKey !== undefined
      ? { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) }
      : undefined;

  return {
    region: opt("region") ?? env("AWS_REGION") ?? env("AWS_DEFAULT_REGION"),
    endpoint,
    profile: credentials ? undefined : (flagProfile ?? env("AWS_PROFILE")),
    credentials,
    maxAttempts: integer(opt("maxAttempts") ?? env("AWS_MAX_ATTEMPTS"), "--max-attempts", 1, 20) ?? 3,
    kmsKeyId: opt("kmsKeyId"),
    description: opt("description"),
    recoveryWindow: integer(opt("recoveryWindow"), "--recovery-window", 7, 30),
    restoreDeleted: opt("restoreDeleted") === "true",
  };
}
