import { expect } from "vitest";
import { parse } from "yaml";
import { policyMatch } from "../servers/vault-sys.js";

/** The permissions a printed policy grants, read from the document itself as the service would. */
export function printedPermissions(provider: string, text: string): Set<string> {
  if (provider === "aws") return new Set((JSON.parse(text) as { Statement: { Action: string[] }[] }).Statement.flatMap((s) => s.Action));
  if (provider === "azure") return new Set((JSON.parse(text) as { DataActions: string[] }).DataActions);
  if (provider === "gcp") return new Set((parse(text) as { includedPermissions: string[] }).includedPermissions);
  if (provider === "k8s") return new Set((parse(text) as { rules: { verbs: string[] }[] }).rules.flatMap((r) => r.verbs));
  throw new Error(`no reader for ${provider}`);
}

export interface HclBlock {
  readonly path: string;
  readonly capabilities: readonly string[];
}

/** `path "p" { capabilities = [...] }` blocks: the only HCL form the policy uses. */
export function hclBlocks(text: string): HclBlock[] {
  const blocks = [...text.matchAll(/path "([^"]+)" \{\s*capabilities = \[([^\]]*)\]\s*\}/g)];
  expect(text.replace(/path "[^"]+" \{\s*capabilities = \[[^\]]*\]\s*\}/g, "").trim()).toBe("");
  return blocks.map((m) => ({ path: m[1] ?? "", capabilities: [...(m[2] ?? "").matchAll(/"(\w+)"/g)].map((c) => c[1] ?? "") }));
}

/** The blocks granting `capability path` as Vault matches ACL paths (the test server's matcher). */
export const grantingBlocks = (blocks: readonly HclBlock[], served: string): HclBlock[] => {
  const [capability = "", path = ""] = served.split(" ");
  return blocks.filter((b) => b.capabilities.includes(capability) && policyMatch(b.path, path));
};
