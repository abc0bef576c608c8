import type { ProviderDescriptor } from "../descriptor.js";
import { firstSet } from "../shared/settings.js";

export const gcp: ProviderDescriptor<"gcp"> = {
  name: "gcp",
  title: "Google Cloud Secret Manager",
  settings: [
    { key: "project", arg: "<id>", description: "project (GOOGLE_CLOUD_PROJECT)" },
    { key: "endpoint", arg: "<url>", description: "endpoint override" },
  ],
  env: ["GOOGLE_CLOUD_PROJECT", "GOOGLE_APPLICATION_CREDENTIALS"],
  how: "Application Default Credentials; --project",
  starter: ["    # project: my-project"],
  capabilities: { versions: true, labels: "annotations on the secret; the pending value in a sibling secret", rotation: true, anchor: true },
  eso: {
    block: (o, env) => ({
      gcpsm: {
        projectID: firstSet(o.project, env.GOOGLE_CLOUD_PROJECT, env.GCP_PROJECT_ID) ?? "replace-me-project-id",
        auth: { secretRef: { secretAccessKeySecretRef: { name: "replace-me-gcp-credentials", key: "secret-access-credentials" } } },
      },
    }),
  },
  policy: {
    uses: () => {
      const s = (verbs: string) => verbs.split(" ").map((v) => `secretmanager.${v}`);
      return {
        migrate: s("secrets.create secrets.get secrets.update versions.access versions.add"),
        validate: s("secrets.list versions.access"),
        rollback: s("secrets.delete secrets.get secrets.update versions.access versions.add versions.disable versions.list"),
        rotate: s("secrets.create secrets.delete secrets.get secrets.update versions.access versions.add versions.list"),
        cleanup: s("secrets.get secrets.list secrets.update versions.access versions.destroy versions.list"),
        run: s("versions.access"),
      };
    },
    load: async () => (await import("./policy.js")).renderGcpPolicy,
  },
  load: async () => (await import("./store.js")).createGcpStore,
};
