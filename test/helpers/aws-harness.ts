import { type AwsServer, type AwsServerOptions, startAwsServer } from "../servers/aws-secrets-manager.js";

export interface AwsHarness {
  readonly server: AwsServer;
  /** Environment for a CLI run (in-process `deps.env` or a spawned `bin/secrets.js`) against the test server. */
  readonly env: Record<string, string>;
  /** Provider options as the CLI layer would pass them (`ctx.options`). */
  readonly options: Record<string, string>;
  stop(): Promise<void>;
}

export const TEST_ACCESS_KEY_ID = "AKIDSECRETSHIFTTEST";

/**
 * The aws provider pointed at a fresh loopback Secrets Manager, with fake static credentials and
 * nothing that would make the SDK look elsewhere (instance metadata, the user's ~/.aws files).
 */
export async function startAwsHarness(serverOptions: AwsServerOptions = {}): Promise<AwsHarness> {
  const server = await startAwsServer({ accessKeys: [TEST_ACCESS_KEY_ID], ...serverOptions });
  const env: Record<string, string> = {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: server.url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: TEST_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: "test-secret-access-key",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: "/nonexistent/secretshift-test/config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/secretshift-test/credentials",
    AWS_MAX_ATTEMPTS: "3",
  };
  return {
    server,
    env,
    options: { region: "us-east-1", endpoint: server.url },
    stop: () => server.stop(),
  };
}
