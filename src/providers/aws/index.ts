import type { ProviderDescriptor } from "../descriptor.js";
import { firstSet } from "../shared/settings.js";

const PLACEHOLDER = "replace-me-aws-credentials";

export const aws: ProviderDescriptor<"aws"> = {
  name: "aws",
  title: "AWS Secrets Manager",
  settings: [
    { key: "region", arg: "<region>", description: "region (AWS_REGION)" },
    { key: "profile", arg: "<name>", description: "shared-config profile (AWS_PROFILE)" },
    { key: "endpoint", arg: "<url>", description: "endpoint override" },
    { key: "kmsKeyId", arg: "<id>", description: "KMS key for new secrets" },
    { key: "description", arg: "<text>", description: "description for new secrets" },
    { key: "maxAttempts", arg: "<n>", value: { min: 1 }, description: "SDK attempts per call" },
    { key: "recoveryWindow", arg: "<days>", value: { min: 7, max: 30 }, description: "rollback keeps deleted secrets recoverable 7-30 days" },
    { key: "restoreDeleted", description: "restore secrets scheduled for deletion before writing" },
  ],
  env: ["AWS_REGION", "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_ENDPOINT_URL_SECRETS_MANAGER"],
  how: "AWS SDK default credential chain; --region, --profile, --endpoint",
  starter: ["    region: us-east-1", "    # profile: default", "    # kmsKeyId: alias/secrets", "    # endpoint: http://localhost:4566   # a local emulator"],
  capabilities: { versions: true, labels: "staging labels AWSCURRENT, AWSPREVIOUS, AWSPENDING", rotation: true, anchor: true },
  eso: {
    block: (o, env) => ({
      aws: {
        service: "SecretsManager",
        region: firstSet(o.region, env.AWS_REGION, env.AWS_DEFAULT_REGION) ?? "replace-me-region",
        auth: {
          secretRef: {
            accessKeyIDSecretRef: { name: PLACEHOLDER, key: "access-key" },
            secretAccessKeySecretRef: { name: PLACEHOLDER, key: "secret-access-key" },
          },
        },
      },
    }),
  },
  // The SDK line pinned for Node 20 (package.json) would print a multi-line "upgrade Node" notice on every run.
  processDefaults: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  // IAM actions per command; BatchGetSecretValue also needs GetSecretValue on each secret it returns.
  policy: {
    uses: () => {
      const read = ["secretsmanager:BatchGetSecretValue all", "secretsmanager:GetSecretValue names"];
      const anchor = ["secretsmanager:DescribeSecret names,anchor", "secretsmanager:TagResource names,anchor"];
      return {
        migrate: [...read, ...anchor, "secretsmanager:CreateSecret names,anchor", "secretsmanager:PutSecretValue names", "secretsmanager:RestoreSecret names"],
        validate: [...read, "secretsmanager:ListSecrets all"],
        rollback: [
          ...read,
          ...anchor,
          "secretsmanager:DeleteSecret names",
          "secretsmanager:UpdateSecretVersionStage names",
          "secretsmanager:PutSecretValue names",
        ],
        rotate: [...anchor, "secretsmanager:GetSecretValue names", "secretsmanager:PutSecretValue names", "secretsmanager:UpdateSecretVersionStage names"],
        cleanup: [...anchor, "secretsmanager:ListSecrets all", "secretsmanager:UntagResource names,anchor", "secretsmanager:UpdateSecretVersionStage names"],
        run: read,
      };
    },
    load: async () => (await import("./policy.js")).renderAwsPolicy,
  },
  load: async () => (await import("./store.js")).createAwsStore,
};
