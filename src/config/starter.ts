import { descriptorOf, type ProviderName } from "../providers/index.js";

/** `secrets init --provider <p>`: commented settings, never a credential. */
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
    ...descriptorOf(provider).starter,
    "",
  ].join("\n");
}
