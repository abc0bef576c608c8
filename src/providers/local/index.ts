import type { ProviderDescriptor } from "../descriptor.js";

export const local: ProviderDescriptor<"local"> = {
  name: "local",
  title: "built-in encrypted store (.secrets/store.enc)",
  settings: [{ key: "store", arg: "<path>", description: "store file (default <state-dir>/store.enc)" }],
  env: ["SECRETS_ENCRYPTION_KEY"],
  how: "built in; key from SECRETS_ENCRYPTION_KEY or .secrets/key (secrets init)",
  needsNoSetup: true,
  starter: ["    # store: .secrets/store.enc"],
  capabilities: { versions: true, labels: "version labels in the store file", rotation: true, anchor: false },
  load: async () => (await import("./store.js")).createLocalStore,
};
