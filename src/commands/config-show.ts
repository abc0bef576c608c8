import { envTwin } from "../config/env-twins.js";
import { describeOrigin, resolveBelowFlags } from "../config/layers.js";
import { loadConfig } from "../config/load.js";
import { COMMANDS, keyOf } from "../config/options.js";
import { type CommonOptions, reporterFor, stateDirOf } from "../core/command-options.js";
import type { Deps } from "../core/deps.js";
import { ExitCode } from "../core/errors.js";
import { maskCommand, maskCredentials } from "../ui/mask.js";
import { table } from "../ui/table.js";

export interface ConfigShowOptions extends CommonOptions {
  readonly config?: string;
  readonly provider?: string;
}

/** Per-invocation flags are not settings; showing them would only list their defaults. */
const NOT_SETTINGS = new Set([
  "json",
  "quiet",
  "verbose",
  "yes",
  "dryRun",
  "help",
  "config",
  "run",
  "last",
  "abort",
  "reveal",
  "withPrevious",
  "exact",
  "junit",
]);

/** Like `git config --show-origin`: every setting once, its effective value, and which layer gave it. */
export async function configShow(options: ConfigShowOptions, deps: Deps, typed: ReadonlyMap<string, unknown>): Promise<number> {
  const reporter = reporterFor(deps, options);
  const config = await loadConfig(deps.cwd, options.config ?? (deps.env.SECRETS_CONFIG || undefined));
  // preAction already layered this command's own --provider (flag > env > file).
  const provider = options.provider;
  const seen = new Map<string, { setting: string; value: string; origin: string; variable: string }>();
  for (const cmd of COMMANDS) {
    for (const option of cmd.options) {
      const key = keyOf(option);
      if (seen.has(key) || NOT_SETTINGS.has(key)) continue;
      const r = typed.has(key) ? { value: typed.get(key), origin: { kind: "flag" as const } } : resolveBelowFlags(option, deps.env, config, provider);
      seen.set(key, {
        setting: key,
        value: shown(key, r.value === undefined ? "" : Array.isArray(r.value) ? r.value.join(",") : String(r.value)),
        origin: describeOrigin(r.origin),
        variable: envTwin(key) ?? "",
      });
    }
  }
  const settings = [...seen.values()].sort((a, b) => a.setting.localeCompare(b.setting));
  const keySource = deps.env.SECRETS_ENCRYPTION_KEY ? "env SECRETS_ENCRYPTION_KEY (hidden)" : `${stateDirOf(deps, options)}/key if present (hidden)`;
  if (options.json) {
    reporter.json({ command: "config show", configFile: config?.path ?? null, provider: provider ?? null, encryptionKey: keySource, settings });
    return ExitCode.ok;
  }
  reporter.out(`configuration file: ${config?.path ?? "(none)"}`);
  reporter.out(`encryption key: ${keySource}`);
  reporter.out(
    table(
      ["SETTING", "VALUE", "FROM", "ENV TWIN"],
      settings.map((s) => [s.setting, s.value, s.origin, s.variable]),
    ),
  );
  return ExitCode.ok;
}

/** Settings that are command lines show their program only; every other value has its credentials masked. */
function shown(key: string, value: string): string {
  if (key === "testCommand") return maskCommand(value);
  if (key === "generator" && value.startsWith("command:")) return `command:${maskCommand(value.slice("command:".length))}`;
  return maskCredentials(value);
}
