import { type AzureServer, type AzureServerOptions, startAzureServer } from "../servers/azure-key-vault.js";

export interface AzureHarness {
  readonly server: AzureServer;
  /** Environment for a CLI run (in-process `deps.env` or a spawned `bin/secrets.js`) against the test server. */
  readonly env: Record<string, string>;
  /** Provider options as the CLI layer would pass them (`ctx.options`). */
  readonly options: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * The azure provider pointed at a fresh loopback Key Vault over HTTPS. The credential is a client
 * secret from the environment (what DefaultAzureCredential's EnvironmentCredential reads) against
 * the same server acting as the tenant (AZURE_AUTHORITY_HOST); the self-signed certificate is
 * trusted through NODE_EXTRA_CA_CERTS. Other credential sources are blanked so a developer's own
 * Azure login cannot leak in.
 */
export async function startAzureHarness(serverOptions: AzureServerOptions = {}): Promise<AzureHarness> {
  const server = await startAzureServer(serverOptions);
  const env: Record<string, string> = {
    AZURE_KEYVAULT_URL: server.url,
    AZURE_AUTHORITY_HOST: server.url,
    AZURE_TENANT_ID: server.tenant.id,
    AZURE_CLIENT_ID: server.tenant.clientId,
    AZURE_CLIENT_SECRET: server.tenant.clientSecret,
    AZURE_CLIENT_CERTIFICATE_PATH: "",
    AZURE_FEDERATED_TOKEN_FILE: "",
    AZURE_USERNAME: "",
    NODE_EXTRA_CA_CERTS: server.certificate.certFile,
  };
  return { server, env, options: {}, stop: () => server.stop() };
}
