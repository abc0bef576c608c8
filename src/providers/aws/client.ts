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

/** The Secrets Manager calls the provider makes, and nothing else: tests can plug in their own. */
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
  /** Resolves credentials and region without a request, so their absence fails early. */
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
 * The SDK's standard mode, minus throttling: transient failures (5xx, resets, timeouts) are retried
 * with jittered exponential backoff up to `maxAttempts`, but throttles go straight back to the
 * provider's adaptive limiter, which must see them to slow down. That also keeps the SDK from
 * retrying LimitExceededException (its table counts it as throttling), which only a wait of
 * minutes would cure.
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

/** Loads the SDK (only now: `secrets --help` must not pay for it) and adapts its client. */
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
/** The request methods: each call is one API request (`countCalls`). */
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
