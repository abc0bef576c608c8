import { z } from "zod";

const providerName = z.enum(["local", "aws", "vault", "gcp", "azure", "k8s"]);
const positive = z.number().int().positive();

/** Settings a provider section may hold; keys are the CLI option names in camelCase. */
const providerSettings = z.strictObject({
  prefix: z.string().optional(),
  nameTemplate: z.string().optional(),
  concurrency: positive.optional(),
  onConflict: z.enum(["overwrite", "skip", "fail"]).optional(),
  store: z.string().optional(),
  region: z.string().optional(),
  profile: z.string().optional(),
  endpoint: z.string().optional(),
  kmsKeyId: z.string().optional(),
  description: z.string().optional(),
  maxAttempts: positive.optional(),
  recoveryWindow: z.number().int().min(7).max(30).optional(),
  restoreDeleted: z.boolean().optional(),
  address: z.string().optional(),
  mount: z.string().optional(),
  kvVersion: z.union([z.literal(1), z.literal(2)]).optional(),
  field: z.string().optional(),
  authMount: z.string().optional(),
  namespace: z.string().optional(),
  secretName: z.string().optional(),
  layout: z.enum(["single", "per-secret"]).optional(),
  project: z.string().optional(),
  vaultUrl: z.string().optional(),
});

/**
 * `secretshift.yaml`. It never holds a secret value or a credential: there is deliberately no key
 * for tokens or passwords, and an unknown key is an error, so one cannot be slipped in.
 */
export const configSchema = z.strictObject({
  provider: providerName.optional(),
  stateDir: z.string().optional(),
  prefix: z.string().optional(),
  nameTemplate: z.string().optional(),
  env: z.string().optional(),
  onConflict: z.enum(["overwrite", "skip", "fail"]).optional(),
  concurrency: positive.optional(),
  sources: z.array(z.string()).optional(),
  only: z.array(z.string()).optional(),
  exclude: z.array(z.string()).optional(),
  gracePeriod: z.string().optional(),
  generator: z.string().optional(),
  providers: z.partialRecord(providerName, providerSettings).optional(),
});

export type ConfigFile = z.infer<typeof configSchema>;
