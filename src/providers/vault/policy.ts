import type { PolicyRenderer } from "../descriptor.js";
import { type Places, parseGrants, places } from "../shared/policy.js";

/** Vault's order of capabilities in its own docs. */
const ORDER = ["create", "read", "update", "patch", "delete", "list"];

/**
 * An ACL policy in HCL: one `path` block per path with the capabilities the commands use there.
 * A listing is of the folder holding the prefix (Vault lists folders), so `list` on a prefix that
 * does not end in `/` is granted on that folder.
 */
export const renderVaultPolicy: PolicyRenderer = (grants, scope) => {
  const mount = (scope.settings.mount ?? "secret").replace(/^\/+|\/+$/g, "");
  const at = places(scope.prefix);
  const folder = `${scope.prefix.slice(0, scope.prefix.lastIndexOf("/") + 1)}*`;
  const paths = new Map<string, Set<string>>();
  for (const { permission, where } of parseGrants(grants)) {
    for (const template of where) {
      const path = template
        .replace("{mount}", mount)
        .replace(/\{(names|anchor|pending|all)\}/, (_, place: keyof Places) => (permission === "list" && place === "names" ? folder : at[place]));
      paths.set(path, (paths.get(path) ?? new Set()).add(permission));
    }
  }
  const blocks = [...paths].map(([path, caps]) => {
    const list = ORDER.filter((c) => caps.has(c)).map((c) => `"${c}"`);
    return `path "${path}" {\n  capabilities = [${list.join(", ")}]\n}\n`;
  });
  return blocks.join("\n");
};
