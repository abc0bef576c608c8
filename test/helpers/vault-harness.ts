import { startVaultServer, type VaultServer, type VaultServerOptions } from "../servers/vault.js";

export interface VaultHarnessOptions extends VaultServerOptions {
  readonly kvVersion: 1 | 2;
}

export interface VaultHarness {
  readonly server: VaultServer;
  /** Environment for a CLI run (in-process `deps.env` or a spawned `bin/secrets.js`) against the test server. */
  readonly env: Record<string, string>;
  /** Provider options as the CLI layer would pass them (`ctx.options`). */
  readonly options: Record<string, string>;
  /** The same options as CLI flags. */
  readonly args: readonly string[];
  stop(): Promise<void>;
}

/**
 * The vault provider pointed at a fresh loopback Vault with a root token, on its KV v2 mount
 * (`secret`) or KV v1 mount (`kv`). The KV version is left to detection (sys/internal/ui/mounts),
 * so every suite run exercises it. VAULT_NAMESPACE, VAULT_ROLE_ID and the like are blanked so a
 * developer's own Vault environment cannot leak in.
 */
export async function startVaultHarness({ kvVersion, ...serverOptions }: VaultHarnessOptions): Promise<VaultHarness> {
  const server = await startVaultServer(serverOptions);
  const mount = kvVersion === 2 ? server.mounts.kv2 : server.mounts.kv1;
  const env: Record<string, string> = {
    VAULT_ADDR: server.url,
    VAULT_TOKEN: server.rootToken,
    VAULT_NAMESPACE: serverOptions.namespace ?? "",
    VAULT_ROLE_ID: "",
    VAULT_SECRET_ID: "",
    VAULT_CACERT: "",
    VAULT_SKIP_VERIFY: "",
  };
  return {
    server,
    env,
    options: { mount },
    args: ["--mount", mount],
    stop: () => server.stop(),
  };
}
