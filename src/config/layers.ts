import type { Command, Option } from "commander";
import type { Deps } from "../core/deps.js";
import { usageError } from "../core/errors.js";
import { collect, envTwin } from "./env-twins.js";
import { CONFIG_FILE, type LoadedConfig, loadConfig } from "./load.js";

export type SettingOrigin = { kind: "flag" } | { kind: "env"; variable: string } | { kind: "file"; file: string; line: number } | { kind: "default" };

export interface Resolved {
  readonly value: unknown;
  readonly origin: SettingOrigin;
}

const TRUE = new Set(["1", "true", "yes", "on"]);
const FALSE = new Set(["0", "false", "no", "off", ""]);

/** One option through the layers below the command line: environment twin, then file, then default. */
export function resolveBelowFlags(
  option: Option,
  env: Deps["env"],
  config: LoadedConfig | undefined,
  provider: string | undefined,
  skipFile = false,
): Resolved {
  const key = option.attributeName();
  const variable = envTwin(option);
  const raw = variable === undefined ? undefined : env[variable];
  if (variable !== undefined && raw !== undefined && raw !== "") return { value: coerce(option, raw, `${variable}`), origin: { kind: "env", variable } };
  const fromFile = skipFile ? undefined : ((provider ? config?.providers.get(provider)?.get(key) : undefined) ?? config?.top.get(key));
  if (config && fromFile) {
    const file = config.path.endsWith(CONFIG_FILE) ? CONFIG_FILE : config.path;
    return { value: coerce(option, fromFile.value, `${file}:${fromFile.line}`), origin: { kind: "file", file, line: fromFile.line } };
  }
  return { value: option.defaultValue, origin: { kind: "default" } };
}

/** Env strings and file values pass the same checks a flag's text would: choices and parsers. */
function coerce(option: Option, value: unknown, where: string): unknown {
  const takesValue = option.required || option.optional;
  if (!takesValue) {
    const text = String(value).toLowerCase();
    if (typeof value === "boolean") return option.negate ? value : value;
    if (TRUE.has(text)) return true;
    if (FALSE.has(text)) return false;
    throw usageError("BAD_SETTING", `${where}: ${option.long} expects true or false`);
  }
  const list = Array.isArray(value) ? value.map(String) : undefined;
  if (option.parseArg === collect)
    return (
      list ??
      String(value)
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    );
  const text = list ? list.join(",") : String(value);
  if (option.argChoices && !option.argChoices.includes(text)) {
    throw usageError("BAD_SETTING", `${where}: ${option.long} must be one of ${option.argChoices.join(", ")}, not "${text}"`);
  }
  return option.parseArg ? option.parseArg(text, undefined as never) : text;
}

/** The provider whose section of the file applies: the command's provider argument or --provider. */
function providerOf(cmd: Command): string | undefined {
  const first = cmd.args[0];
  if (first && cmd.registeredArguments[0]?.name() === "provider") return first;
  const p = cmd.getOptionValue("provider");
  return typeof p === "string" ? p : undefined;
}

/**
 * commander's `preAction`: fills every option the command line left unset from its `SECRETS_*`
 * twin, then the configuration file, so precedence is flags > environment > file > defaults for
 * every command alike. Returns where each setting came from.
 */
export async function applyLayers(cmd: Command, deps: Pick<Deps, "env" | "cwd">): Promise<Map<string, Resolved>> {
  const explicit = (cmd.getOptionValueSource("config") === "cli" ? cmd.getOptionValue("config") : undefined) ?? (deps.env.SECRETS_CONFIG || undefined);
  const config = await loadConfig(deps.cwd, explicit as string | undefined);
  const origins = new Map<string, Resolved>();
  // The provider setting itself must be resolved first: it picks the file's provider section.
  const ordered = [...cmd.options].sort((a, b) => Number(b.attributeName() === "provider") - Number(a.attributeName() === "provider"));
  for (const option of ordered) {
    const key = option.attributeName();
    if (cmd.getOptionValueSource(key) === "cli") {
      origins.set(key, { value: cmd.getOptionValue(key), origin: { kind: "flag" } });
      continue;
    }
    // A source named on the command line replaces the file's default sources.
    const resolved = resolveBelowFlags(option, deps.env, config, providerOf(cmd), key === "from" && cmd.args.length > 1);
    if (resolved.origin.kind !== "default") cmd.setOptionValueWithSource(key, resolved.value, resolved.origin.kind === "env" ? "env" : "config");
    origins.set(key, resolved);
  }
  return origins;
}

export function describeOrigin(origin: SettingOrigin): string {
  if (origin.kind === "env") return `env ${origin.variable}`;
  if (origin.kind === "file") return `${origin.file}:${origin.line}`;
  return origin.kind;
}
