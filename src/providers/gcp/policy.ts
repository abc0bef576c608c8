import type { PolicyRenderer } from "../descriptor.js";
import { parseGrants, places } from "../shared/policy.js";
import { toSecretId } from "./names.js";

/**
 * A custom role (`gcloud iam roles create --file`) with the permissions, and the IAM condition
 * that limits its per-secret permissions to the prefix, the journal anchor and rotation's siblings.
 */
export const renderGcpPolicy: PolicyRenderer = (grants, scope) => {
  const permissions = parseGrants(grants).map((g) => g.permission);
  const at = places(scope.prefix, toSecretId);
  const secret = "projects/PROJECT_NUMBER/secrets/";
  const starts = [at.names, ...(scope.commands.includes("rotate") || scope.commands.includes("cleanup") ? [at.pending] : [])];
  const condition = [`resource.name == "${secret}${at.anchor}"`, ...starts.map((s) => `resource.name.startsWith("${secret}${s.replace(/\*$/, "")}")`)].join(
    " || ",
  );
  return [
    `# gcloud iam roles create secretshift --project PROJECT_ID --file this.yaml`,
    `# Scope per-secret permissions with the condition (list and create are checked on the project):`,
    `#   ${condition}`,
    "title: secretshift",
    `description: "secretshift ${scope.commands.join(", ")}"`,
    "stage: GA",
    "includedPermissions:",
    ...permissions.sort().map((p) => `- ${p}`),
    "",
  ].join("\n");
};
