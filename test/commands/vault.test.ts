import { commandSuite } from "../helpers/command-suite.js";
import { startVaultHarness } from "../helpers/vault-harness.js";

for (const kvVersion of [2, 1] as const) {
  commandSuite({
    label: `vault KV v${kvVersion} (wire-level Vault)`,
    start: async () => {
      const h = await startVaultHarness({ kvVersion });
      return { provider: "vault", env: h.env, args: h.args, options: h.options, server: h.server, versionsAdvanceOnRestore: kvVersion === 2, stop: h.stop };
    },
  });
}
