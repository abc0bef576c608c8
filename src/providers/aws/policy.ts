import type { PolicyRenderer } from "../descriptor.js";
import { parseGrants, places } from "../shared/policy.js";

const ARN = "arn:aws:secretsmanager:*:*:secret:";

/**
 * An IAM policy: the secret-level actions on the ARNs of the names under the prefix and of the
 * journal anchor; the actions Secrets Manager cannot scope to a secret (ListSecrets,
 * BatchGetSecretValue) on `*`. The anchor's ARN ends in the six random characters AWS adds, so
 * `secretshift-??????` matches it and nothing else.
 */
export const renderAwsPolicy: PolicyRenderer = (grants, scope) => {
  const at = places(scope.prefix);
  const resources = { names: `${ARN}${at.names}`, anchor: `${ARN}${at.anchor}-??????`, pending: `${ARN}${at.pending}`, all: "*" };
  const statements = new Map<string, string[]>();
  for (const grant of parseGrants(grants)) {
    const where = grant.where.includes("all") ? ["all"] : [...grant.where].sort();
    const key = where.join(",");
    statements.set(key, [...(statements.get(key) ?? []), grant.permission]);
  }
  const Statement = [...statements].map(([where, actions], i) => ({
    Sid: `Secretshift${i + 1}`,
    Effect: "Allow",
    Action: actions.sort(),
    Resource: where.split(",").map((w) => resources[w as keyof typeof resources]),
  }));
  return `${JSON.stringify({ Version: "2012-10-17", Statement }, null, 2)}\n`;
};
