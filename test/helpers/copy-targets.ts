import type { AwsHarness } from "./aws-harness.js";
import { type Target, writeMark } from "./provider-snapshot.js";
import type { VaultHarness } from "./vault-harness.js";

/** The copy tests' targets, judged from their servers (KV v2 restores as new versions: values count, not numbers). */
export const vaultTarget = (h: VaultHarness): Target => ({
  provider: "vault",
  env: h.env,
  args: h.args,
  options: h.options,
  server: h.server,
  versionsAdvanceOnRestore: true,
});

export const awsTarget = (h: AwsHarness): Target => ({ provider: "aws", env: h.env, args: [], options: h.options, server: h.server });

/** Changes whenever the project's default local store file does: a source that was only read keeps it. */
export const localMark = (cwd: string) => writeMark({ provider: "local", env: {}, args: [], options: {} }, cwd);
