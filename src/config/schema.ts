import { z } from "zod";
import type { ProviderSetting } from "../providers/descriptor.js";
import { DESCRIPTORS, PROVIDER_NAMES } from "../providers/index.js";

const providerName = z.enum(PROVIDER_NAMES as [string, ...string[]]);
const positive = z.number().int().positive();
const onConflict = z.enum(["overwrite", "skip", "fail"]);

function settingSchema(setting: ProviderSetting): z.ZodType {
  const { value } = setting;
  if (!setting.arg) return z.boolean();
  if (value === undefined) return z.string();
  if ("min" in value)
    return z
      .number()
      .int()
      .min(value.min)
      .max(value.max ?? Number.MAX_SAFE_INTEGER);
  const [first, ...rest] = value.oneOf.map((v) => z.literal(v));
  return rest.length === 0 ? (first as z.ZodType) : z.union([first as z.ZodLiteral, ...rest]);
}

/** Run settings and every provider's settings (a key two providers read, like `namespace`, is one key). */
const providerSettings = z.strictObject({
  prefix: z.string().optional(),
  nameTemplate: z.string().optional(),
  concurrency: positive.optional(),
  onConflict: onConflict.optional(),
  ...Object.fromEntries(DESCRIPTORS.flatMap((d) => d.settings).map((s) => [s.key, settingSchema(s).optional()])),
});

/** Never a secret value or a credential: there is no key for one, and an unknown key is an error. */
export const configSchema = z.strictObject({
  provider: providerName.optional(),
  stateDir: z.string().optional(),
  prefix: z.string().optional(),
  nameTemplate: z.string().optional(),
  env: z.string().optional(),
  onConflict: onConflict.optional(),
  concurrency: positive.optional(),
  sources: z.array(z.string()).optional(),
  only: z.array(z.string()).optional(),
  exclude: z.array(z.string()).optional(),
  gracePeriod: z.string().optional(),
  generator: z.string().optional(),
  providers: z.partialRecord(providerName, providerSettings).optional(),
  /** `--from-provider`, `--from-prefix` and `--from-provider-option` (checked against the source provider when it opens). */
  source: z
    .strictObject({
      provider: providerName.optional(),
      prefix: z.string().optional(),
      options: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    })
    .optional(),
});
