import { usageError } from "../../core/errors.js";
import type { ProviderContext } from "../shared/context.js";
import { nonEmpty } from "../shared/settings.js";
import type { GcpClientConfig } from "./client.js";

/** Everything the gcp provider takes from flags (`ctx.options`) and the Google tooling's environment. */
export function resolveGcpSettings(ctx: Pick<ProviderContext, "options" | "env">): GcpClientConfig {
  const opt = (key: string) => nonEmpty(ctx.options[key]);
  const env = (key: string) => nonEmpty(ctx.env[key]);
  const raw = opt("endpoint");
  let endpoint: URL | undefined;
  if (raw !== undefined) {
    const url = URL.canParse(raw) ? new URL(raw) : undefined;
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
      throw usageError("GCP_BAD_OPTION", `endpoint "${raw}" is not an http(s) URL`, "use e.g. --endpoint http://127.0.0.1:8085 for a local server");
    }
    endpoint = url;
  }
  const project = opt("project") ?? env("GOOGLE_CLOUD_PROJECT") ?? env("GCP_PROJECT_ID") ?? env("GCLOUD_PROJECT");
  if (project !== undefined && !/^[a-z][a-z0-9-]{4,28}[a-z0-9]$|^\d+$/.test(project)) {
    throw usageError("GCP_BAD_OPTION", `"${project}" is not a GCP project id or number`, "project ids are 6–30 lowercase letters, digits and -");
  }
  return { project, endpoint, keyFilename: env("GOOGLE_APPLICATION_CREDENTIALS") };
}
