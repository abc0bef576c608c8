import { type CommonOptions, reporterFor } from "../core/command-options.js";
import type { Deps } from "../core/deps.js";
import { ExitCode } from "../core/errors.js";
import { availableProviders, PROVIDER_NAMES } from "../providers/index.js";
import { table } from "../ui/table.js";

/** How each provider is configured; read from the environment only, nothing is contacted. */
const SETTINGS: Record<string, { vars: string[]; how: string }> = {
  local: { vars: ["SECRETS_ENCRYPTION_KEY"], how: "built in; key from SECRETS_ENCRYPTION_KEY or .secrets/key (secrets init)" },
  aws: {
    vars: ["AWS_REGION", "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_ENDPOINT_URL_SECRETS_MANAGER"],
    how: "AWS SDK default credential chain; --region, --profile, --endpoint",
  },
  vault: { vars: ["VAULT_ADDR", "VAULT_TOKEN", "VAULT_ROLE_ID", "VAULT_NAMESPACE"], how: "token or AppRole; --address, --mount, --kv-version" },
  gcp: { vars: ["GOOGLE_CLOUD_PROJECT", "GOOGLE_APPLICATION_CREDENTIALS"], how: "Application Default Credentials; --project" },
  azure: { vars: ["AZURE_KEYVAULT_URL", "AZURE_CLIENT_ID"], how: "DefaultAzureCredential; --vault-url" },
  k8s: { vars: ["KUBECONFIG", "K8S_SECRET_NAMESPACE"], how: "kubeconfig or in-cluster; --namespace" },
};

export async function providers(options: CommonOptions, deps: Deps): Promise<number> {
  const reporter = reporterFor(deps, options);
  const available = new Set(availableProviders());
  const rows = PROVIDER_NAMES.map((name) => {
    const s = SETTINGS[name] ?? { vars: [], how: "" };
    const set = s.vars.filter((v) => deps.env[v] !== undefined && deps.env[v] !== "");
    return { name, available: available.has(name), configured: name === "local" || set.length > 0, environment: set, how: s.how };
  });
  if (options.json) reporter.json({ command: "providers", providers: rows });
  else
    reporter.out(
      table(
        ["PROVIDER", "STATUS", "SEEN IN ENV", "HOW"],
        rows.map((r) => [r.name, r.available ? (r.configured ? "configured" : "available") : "not yet", r.environment.join(" "), r.how]),
      ),
    );
  return ExitCode.ok;
}
