import type { Deps } from "../core/deps.js";
import { usageError } from "../core/errors.js";
import { envTwin } from "./env-twins.js";
import { CONFIG_FILE, type LoadedConfig, loadConfig } from "./load.js";
import { isNegated, keyOf, type OptionSpec, positiveInt, takesValue } from "./options.js";

export type SettingOrigin = { kind: "flag" } | { kind: "env"; variable: string } | { kind: "file"; file: string; line: number } | { kind: "default" };

export interface Resolved {
  readonly value: unknown;
  readonly origin: SettingOrigin;
}

export interface CommandLine {
  readonly flags: ReadonlyMap<string, unknown>;
  /** Picks the file's provider section. */
  readonly providerArg: string | undefined;
  /** Replaces the file's default sources. */
  readonly sourceGiven: boolean;
}

const TRUE = new Set(["1", "true", "yes", "on"]);
const FALSE = new Set(["0", "false", "no", "off", ""]);

export function resolveBelowFlags(
  option: OptionSpec,
  env: Deps["env"],
  config: LoadedConfig | undefined,
  provider: string | undefined,
  skipFile = false,
): Resolved {
  const key = keyOf(option);
  const variable = envTwin(key);
  const raw = variable === undefined ? undefined : env[variable];
  if (variable !== undefined && raw !== undefined && raw !== "") return { value: coerce(option, raw, variable), origin: { kind: "env", variable } };
  const fromFile = skipFile ? undefined : ((provider ? config?.providers.get(provider)?.get(key) : undefined) ?? config?.top.get(key));
  if (config && fromFile) {
    const file = config.path.endsWith(CONFIG_FILE) ? CONFIG_FILE : config.path;
    return { value: coerce(option, fromFile.value, `${file}:${fromFile.line}`), origin: { kind: "file", file, line: fromFile.line } };
  }
  return { value: isNegated(option) ? true : option.default, origin: { kind: "default" } };
}

/** Env strings and file values pass the checks a flag's text would. */
function coerce(option: OptionSpec, value: unknown, where: string): unknown {
  const flag = option.flags.split(" ")[0];
  if (!takesValue(option)) {
    if (typeof value === "boolean") return value;
    const text = String(value).toLowerCase();
    if (TRUE.has(text)) return true;
    if (FALSE.has(text)) return false;
    throw usageError("BAD_SETTING", `${where}: ${flag} expects true or false`);
  }
  const list = Array.isArray(value) ? value.map(String) : undefined;
  if (option.parse === "list")
    return (
      list ??
      String(value)
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    );
  const text = list ? list.join(",") : String(value);
  if (option.choices && !option.choices.includes(text)) {
    throw usageError("BAD_SETTING", `${where}: ${flag} must be one of ${option.choices.join(", ")}, not "${text}"`);
  }
  return option.parse === "positive-int" ? positiveInt(text) : text;
}

/** flags > `SECRETS_*` environment > configuration file > defaults, for every command alike. */
export async function applyLayers(options: readonly OptionSpec[], line: CommandLine, deps: Pick<Deps, "env" | "cwd">): Promise<Map<string, Resolved>> {
  const explicit = (line.flags.get("config") as string | undefined) ?? (deps.env.SECRETS_CONFIG || undefined);
  const config = await loadConfig(deps.cwd, explicit);
  const origins = new Map<string, Resolved>();
  // The provider setting itself comes first: it picks the file's provider section.
  const ordered = [...options].sort((a, b) => Number(keyOf(b) === "provider") - Number(keyOf(a) === "provider"));
  let provider = line.providerArg;
  for (const option of ordered) {
    const key = keyOf(option);
    const resolved: Resolved = line.flags.has(key)
      ? { value: line.flags.get(key), origin: { kind: "flag" } }
      : resolveBelowFlags(option, deps.env, config, provider, key === "from" && line.sourceGiven);
    origins.set(key, resolved);
    if (key === "provider" && line.providerArg === undefined && typeof resolved.value === "string") provider = resolved.value;
  }
  return origins;
}

export function describeOrigin(origin: SettingOrigin): string {
  if (origin.kind === "env") return `env ${origin.variable}`;
  if (origin.kind === "file") return `${origin.file}:${origin.line}`;
  return origin.kind;
}
