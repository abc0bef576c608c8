import type { ProviderDescriptor } from "../descriptor.js";
import { firstSet } from "../shared/settings.js";

export const vault: ProviderDescriptor<"vault"> = {
  name: "vault",
  title: "HashiCorp Vault KV v1 / v2",
  settings: [
    { key: "address", arg: "<url>", description: "address (VAULT_ADDR)" },
    { key: "endpoint", arg: "<url>", description: "same as --address" },
    { key: "mount", arg: "<path>", description: "KV mount (default secret)" },
    { key: "kvVersion", arg: "<1|2>", value: { oneOf: [1, 2] }, description: "KV version when it cannot be detected" },
    { key: "field", arg: "<name>", description: "field holding the value (default value)" },
    { key: "authMount", arg: "<path>", description: "AppRole mount (default approle)" },
    { key: "namespace", arg: "<ns>", description: "namespace (VAULT_NAMESPACE)" },
    { key: "maxAttempts", arg: "<n>", value: { min: 1 }, description: "attempts per request (default 6)" },
  ],
  env: ["VAULT_ADDR", "VAULT_TOKEN", "VAULT_ROLE_ID", "VAULT_NAMESPACE"],
  how: "token or AppRole; --address, --mount, --kv-version",
  starter: [
    "    address: https://vault.example.com:8200",
    "    mount: secret",
    "    # kvVersion: 2          # detected when the token may read sys/mounts",
    "    # namespace: admin",
  ],
  capabilities: { versions: "KV v2", labels: "KV v2 custom_metadata; the pending value under secretshift-pending/", rotation: "KV v2", anchor: true },
  eso: {
    block: (o, env) => {
      const namespace = firstSet(o.namespace, env.VAULT_NAMESPACE);
      return {
        vault: {
          server: firstSet(o.address, o.endpoint, env.VAULT_ADDR) ?? "https://replace-me.vault.example:8200",
          path: (firstSet(o.mount) ?? "secret").replace(/^\/+|\/+$/g, ""),
          version: o.kvVersion === "1" ? "v1" : "v2",
          ...(namespace ? { namespace } : {}),
          auth: { tokenSecretRef: { name: "replace-me-vault-token", key: "token" } },
        },
      };
    },
    property: (o) => firstSet(o.field) ?? "value",
  },
  // Capabilities on paths; KV v1 has no metadata and no rotation, and is only known from --kv-version.
  policy: {
    uses: (o) => {
      // The KV version is detected from the mount only when no setting gives it.
      const token = ["read auth/token/lookup-self", ...(o.kvVersion ? [] : ["read sys/internal/ui/mounts/{mount}"])];
      const on = (caps: string, path: string) => caps.split(" ").map((c) => `${c} ${path}`);
      if (o.kvVersion === "1") {
        const data = (caps: string) => on(caps, "{mount}/{names}");
        return {
          migrate: [...token, ...data("create read update"), ...on("create read update", "{mount}/{anchor}")],
          validate: [...token, ...data("list read")],
          rollback: [...token, ...data("delete read update"), ...on("read update", "{mount}/{anchor}")],
          cleanup: token,
          run: [...token, ...data("read")],
        };
      }
      const data = (caps: string) => on(caps, "{mount}/data/{names}");
      const meta = (caps: string) => on(caps, "{mount}/metadata/{names}");
      const anchor = on("read patch", "{mount}/metadata/{anchor}");
      return {
        migrate: [...token, ...data("create read update"), ...meta("patch"), ...anchor, ...on("create", "{mount}/metadata/{anchor}")],
        validate: [...token, ...data("read"), ...meta("list")],
        rollback: [...token, ...data("read update"), ...meta("read delete"), ...anchor],
        rotate: [
          ...[...token, ...data("read update"), ...meta("read patch"), ...anchor],
          ...[...on("create read", "{mount}/data/{pending}"), ...on("patch delete", "{mount}/metadata/{pending}")],
        ],
        cleanup: [...token, ...meta("read patch"), ...anchor, ...on("list", "{mount}/metadata/{all}"), ...on("update", "{mount}/destroy/{names}")],
        run: [...token, ...data("read")],
      };
    },
    load: async () => (await import("./policy.js")).renderVaultPolicy,
  },
  load: async () => (await import("./store.js")).createVaultStore,
};
