import type { ProviderName } from "../providers/types.js";

/** Commented provider settings for `secrets init --provider <p>`; never a credential. */
const SECTIONS: Record<ProviderName, string[]> = {
  local: ["    # store: .secrets/store.enc"],
  aws: ["    region: us-east-1", "    # profile: default", "    # kmsKeyId: alias/secrets", "    # endpoint: http://localhost:4566   # a local emulator"],
  vault: [
    "    address: https://vault.example.com:8200",
    "    mount: secret",
    "    # kvVersion: 2          # detected when the token may read sys/mounts",
    "    # namespace: admin",
  ],
  gcp: ["    # project: my-project"],
  azure: ["    # vaultUrl: https://my-vault.vault.azure.net"],
  k8s: ["    # namespace: default"],
};

export function starterConfig(provider: ProviderName): string {
  return [
    "# secretshift configuration. Precedence: flags > SECRETS_* environment variables > this file > defaults.",
    "# It never holds a secret value or a credential: those come from the provider's own environment.",
    `provider: ${provider}`,
    "",
    "# Default sources when a command names none.",
    "sources:",
    "  - .env",
    "",
    "# prefix: myapp/",
    '# nameTemplate: "{key}"',
    "# onConflict: fail        # overwrite | skip | fail",
    "",
    "providers:",
    `  ${provider}:`,
    ...SECTIONS[provider],
    "",
  ].join("\n");
}
