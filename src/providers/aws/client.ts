import type {
  BatchGetSecretValueRequest,
  BatchGetSecretValueResponse,
  CreateSecretRequest,
  CreateSecretResponse,
  DeleteSecretRequest,
  DeleteSecretResponse,
  DescribeSecretRequest,
  DescribeSecretResponse,
  GetSecretValueRequest,
  GetSecretValueResponse,
  ListSecretsRequest,
  ListSecretsResponse,
  ListSecretVersionIdsRequest,
  ListSecretVersionIdsResponse,
  PutSecretValueRequest,
  PutSecretValueResponse,
  RestoreSecretRequest,
  RestoreSecretResponse,
  SecretsManagerClientConfig,
  TagResourceCommandOutput,
  TagResourceRequest,
  UntagResourceCommandOutput,
  UntagResourceRequest,
  UpdateSecretVersionStageRequest,
  UpdateSecretVersionStageResponse,
} from "@aws-sdk/client-secrets-manager";

/** Only the calls the provider makes: tests can plug in their own. */
export interface SecretsManagerApi {
  listSecrets(input: ListSecretsRequest): Promise<ListSecretsResponse>;
  batchGetSecretValue(input: BatchGetSecretValueRequest): Promise<BatchGetSecretValueResponse>;
  getSecretValue(input: GetSecretValueRequest): Promise<GetSecretValueResponse>;
  describeSecret(input: DescribeSecretRequest): Promise<DescribeSecretResponse>;
  listSecretVersionIds(input: ListSecretVersionIdsRequest): Promise<ListSecretVersionIdsResponse>;
  createSecret(input: CreateSecretRequest): Promise<CreateSecretResponse>;
  putSecretValue(input: PutSecretValueRequest): Promise<PutSecretValueResponse>;
  updateSecretVersionStage(input: UpdateSecretVersionStageRequest): Promise<UpdateSecretVersionStageResponse>;
  deleteSecret(input: DeleteSecretRequest): Promise<DeleteSecretResponse>;
  restoreSecret(input: RestoreSecretRequest): Promise<RestoreSecretResponse>;
  tagResource(input: TagResourceRequest): Promise<TagResourceCommandOutput>;
  untagResource(input: UntagResourceRequest): Promise<UntagResourceCommandOutput>;
  /** Without a request, so missing credentials fail early. */
  check(): Promise<void>;
  destroy(): void;
}

export interface AwsClientConfig {
  readonly region: string | undefined;
  readonly endpoint: string | undefined;
  readonly profile: string | undefined;
  readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
  readonly maxAttempts: number;
}

type RetryStrategy = NonNullable<SecretsManagerClientConfig["retryStrategy"]>;
type RetryErrorInfo = Parameters<Extract<RetryStrategy, { refreshRetryTokenForRetry: unknown }>["refreshRetryTokenForRetry"]>[1];

const token = (count: number, delay: number) => ({ getRetryCount: () => count, getRetryDelay: () => delay, getRetryCost: () => undefined });

/**
 * Transient failures are retried with backoff, but throttles go straight to the provider's limiter,
 * which must see them to slow down (and LimitExceededException needs minutes, not retries).
 */
export function standardRetryWithoutThrottling(maxAttempts: number): RetryStrategy {
  return {
    mode: "standard",
    acquireInitialRetryToken: async () => token(0, 0),
    async refreshRetryTokenForRetry(previous, info: RetryErrorInfo) {
      const count = previous.getRetryCount() + 1;
      if (info.errorType !== "TRANSIENT" || count >= maxAttempts) throw info.error ?? new Error("retry refused");
      return token(count, Math.floor(Math.random() * Math.min(20_000, 50 * 2 ** count)));
    },
    recordSuccess: () => undefined,
  } as RetryStrategy;
}

/** Only now: `secrets --help` must not pay for the SDK. */
export async function createSdkApi(config: AwsClientConfig): Promise<SecretsManagerApi> {
  const sdk = await import("@aws-sdk/client-secrets-manager");
  const client = new sdk.SecretsManagerClient({
    region: config.region,
    endpoint: config.endpoint,
    profile: config.profile,
    credentials: config.credentials,
    maxAttempts: config.maxAttempts,
    retryStrategy: standardRetryWithoutThrottling(config.maxAttempts),
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 60_000 },
  });
  return {
    listSecrets: (input) => client.send(new sdk.ListSecretsCommand(input)),
    batchGetSecretValue: (input) => client.send(new sdk.BatchGetSecretValueCommand(input)),
    getSecretValue: (input) => client.send(new sdk.GetSecretValueCommand(input)),
    describeSecret: (input) => client.send(new sdk.DescribeSecretCommand(input)),
    listSecretVersionIds: (input) => client.send(new sdk.ListSecretVersionIdsCommand(input)),
    createSecret: (input) => client.send(new sdk.CreateSecretCommand(input)),
    putSecretValue: (input) => client.send(new sdk.PutSecretValueCommand(input)),
    updateSecretVersionStage: (input) => client.send(new sdk.UpdateSecretVersionStageCommand(input)),
    deleteSecret: (input) => client.send(new sdk.DeleteSecretCommand(input)),
    restoreSecret: (input) => client.send(new sdk.RestoreSecretCommand(input)),
    tagResource: (input) => client.send(new sdk.TagResourceCommand(input)),
    untagResource: (input) => client.send(new sdk.UntagResourceCommand(input)),
    async check() {
      await client.config.region();
      await client.config.credentials();
    },
    destroy: () => client.destroy(),
  };
}

type Method = Exclude<keyof SecretsManagerApi, "check" | "destroy">;
export const REQUESTS: readonly Method[] = [
  "listSecrets",
  "batchGetSecretValue",
  "getSecretValue",
  "describeSecret",
  "listSecretVersionIds",
  "createSecret",
  "putSecretValue",
  "updateSecretVersionStage",
  "deleteSecret",
  "restoreSecret",
  "tagResource",
  "untagResource",
];
