import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type GcpServer, type GcpServerOptions, startGcpServer } from "../servers/gcp-secret-manager.js";
import { tmpdir } from "./tmpdir.js";

export interface GcpHarness {
  readonly server: GcpServer;
  /** Environment for a CLI run (in-process `deps.env` or a spawned `bin/secrets.js`) against the test server. */
  readonly env: Record<string, string>;
  /** Provider options as the CLI layer would pass them (`ctx.options`). */
  readonly options: Record<string, string>;
  /** The same options as CLI flags. */
  readonly args: readonly string[];
  stop(): Promise<void>;
}

/**
 * The gcp provider pointed at a fresh loopback Secret Manager. Application Default Credentials come
 * from a service-account key file (GOOGLE_APPLICATION_CREDENTIALS) whose key the server trusts, so
 * the library's real auth path runs: it signs its own JWT, which the server verifies.
 */
export async function startGcpHarness(serverOptions: GcpServerOptions = {}): Promise<GcpHarness> {
  const server = await startGcpServer(serverOptions);
  const keyFile = join(await tmpdir(), "service-account.json");
  await writeFile(keyFile, JSON.stringify(server.account.keyFile), { mode: 0o600 });
  const env: Record<string, string> = {
    GOOGLE_APPLICATION_CREDENTIALS: keyFile,
    GOOGLE_CLOUD_PROJECT: server.projectId,
    GCP_PROJECT_ID: "",
    GCLOUD_PROJECT: "",
    // Never let the auth library probe a metadata server from a test machine.
    METADATA_SERVER_DETECTION: "none",
  };
  return {
    server,
    env,
    options: { endpoint: server.url, project: server.projectId },
    args: ["--endpoint", server.url],
    stop: () => server.stop(),
  };
}
