import { type CommonOptions, reporterFor } from "../core/command-options.js";
import type { Deps } from "../core/deps.js";
import { ExitCode, usageError } from "../core/errors.js";
import { POLICY_COMMANDS, type PolicyCommand } from "../providers/descriptor.js";
import { descriptorOf, type ProviderName } from "../providers/index.js";
import { grantsFor, parseGrants } from "../providers/shared/policy.js";
import { listed } from "../ui/words.js";

export interface PolicyOptions extends CommonOptions {
  readonly for?: string;
  readonly prefix?: string;
}

/**
 * The least-privilege policy for the chosen commands, built from what the provider declares about
 * its calls. Nothing is contacted: the document is for the person who writes the account's policy.
 */
export async function policy(provider: ProviderName, options: PolicyOptions, deps: Deps): Promise<number> {
  const reporter = reporterFor(deps, options);
  const support = descriptorOf(provider).policy;
  if (!support) throw usageError("NO_POLICY", `${provider} needs no permissions: it has no account`, "its store is a file guarded by the key");
  const commands = chosen(options.for);
  const settings = options.providerOptions ?? {};
  const uses = support.uses(settings);
  const none = commands.filter((c) => !uses[c]);
  if (none.length) reporter.warn(`${provider} does not ${listed(none)} with these settings: no permissions for ${none.length === 1 ? "it" : "them"}`);
  if (commands.includes("run")) reporter.info("run reads values by name: the same permissions as reading a secret");
  const grants = grantsFor(uses, commands);
  const text = (await support.load())(grants, { prefix: options.prefix ?? "", settings, commands });
  if (options.json) {
    const permissions = parseGrants(grants).map((g) => g.permission);
    reporter.json({ command: "policy", provider, commands, prefix: options.prefix ?? "", permissions, policy: text });
  } else reporter.out(text.trimEnd());
  return ExitCode.ok;
}

function chosen(list: string | undefined): PolicyCommand[] {
  if (list === undefined) return [...POLICY_COMMANDS];
  const names = list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(POLICY_COMMANDS as readonly string[]).includes(n));
  if (unknown.length || !names.length) throw usageError("BAD_OPTION", `--for takes commands, got "${list}"`, `any of: ${POLICY_COMMANDS.join(", ")}`);
  return POLICY_COMMANDS.filter((c) => names.includes(c));
}
