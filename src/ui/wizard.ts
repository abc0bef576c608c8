import { readdir } from "node:fs/promises";
import { loadConfig } from "../config/load.js";
import type { Deps } from "../core/deps.js";
import { usageError } from "../core/errors.js";
import { isProviderName, PROVIDER_NAMES, type ProviderName } from "../providers/index.js";
import { themeFor } from "./theme.js";

/** What the interactive mode may fill in; on a terminal only, never in CI or with `--yes`. */
export interface Asking {
  readonly yes?: boolean;
  readonly json?: boolean;
  readonly color?: boolean;
}

const canAsk = (deps: Deps, o: Asking) => deps.interactive && !o.yes && !o.json;
const theme = (deps: Deps, o: Asking) => themeFor(deps.stderr, { env: deps.env, flag: o.color });

/** An argument the wizard could ask for is still required (exit 2 with a hint) where nobody can answer. */
export function requireAskable(deps: Deps, o: Asking, code: string, message: string, hint: string): void {
  if (!canAsk(deps, o)) throw usageError(code, message, hint);
}

/** `secrets migrate` without a provider: asked at a terminal (the configured ones first), a usage error elsewhere. */
export async function askProvider(deps: Deps, command: string, o: Asking): Promise<ProviderName> {
  requireAskable(deps, o, "MISSING_PROVIDER", `secrets ${command} needs a provider`, `secrets ${command} <provider>, one of: ${PROVIDER_NAMES.join(", ")}`);
  const configured = await configuredProviders(deps);
  const ordered = [...configured, ...PROVIDER_NAMES.filter((p) => !configured.includes(p))];
  const choices = ordered.map((p) => ({ name: configured.includes(p) ? `${p} (configured)` : p, value: p }));
  return deps.prompt.select(`Migrate to which provider?`, choices, theme(deps, o));
}

async function configuredProviders(deps: Deps): Promise<ProviderName[]> {
  const config = await loadConfig(deps.cwd, deps.env.SECRETS_CONFIG || undefined).catch(() => undefined);
  if (!config) return [];
  const named = [String(config.top.get("provider")?.value ?? ""), ...config.providers.keys()];
  return [...new Set(named.filter(isProviderName))];
}

const SOURCE_FILE = /^(\.env(\..+)?|.+\.env|.+\.(json|ya?ml))$/;
const NOT_SECRETS = new Set(["secretshift.yaml", "package.json", "package-lock.json", "tsconfig.json", "pnpm-lock.yaml", "docker-compose.yml"]);

/**
 * No source given: the `.env`/YAML/JSON files in this folder are offered. With only `.env` there,
 * there is nothing to choose and the default stands.
 */
export async function askSource(deps: Deps, o: Asking): Promise<string | undefined> {
  if (!canAsk(deps, o)) return undefined;
  const names = (await readdir(deps.cwd, { withFileTypes: true }).catch(() => []))
    .filter((e) => e.isFile() && SOURCE_FILE.test(e.name) && !NOT_SECRETS.has(e.name))
    .map((e) => e.name)
    .sort((a, b) => Number(b === ".env") - Number(a === ".env") || a.localeCompare(b));
  if (names.length === 0 || (names.length === 1 && names[0] === ".env")) return undefined;
  return deps.prompt.select(
    "Read secrets from which file?",
    names.map((n) => ({ name: n, value: n })),
    theme(deps, o),
  );
}

/** `secrets init` at a terminal without --provider: which provider the starter secretshift.yaml is for, if any. */
export async function askStarterProvider(deps: Deps, o: Asking): Promise<ProviderName | undefined> {
  if (!canAsk(deps, o)) return undefined;
  const none = "none";
  const picked = await deps.prompt.select<string>(
    "Write a starter secretshift.yaml for which provider?",
    [...PROVIDER_NAMES.map((p) => ({ name: p, value: p })), { name: "none (only the key)", value: none }],
    theme(deps, o),
  );
  return isProviderName(picked) ? picked : undefined;
}

/** `secrets rotate` without a name: one of the store's secrets. */
export async function askSecret(deps: Deps, o: Asking, question: string, names: readonly string[]): Promise<string> {
  if (names.length === 0) throw usageError("NOTHING_TO_ROTATE", "the store holds no secrets", "migrate some first: secrets migrate <provider>");
  return deps.prompt.select(
    question,
    [...names].sort().map((n) => ({ name: n, value: n })),
    theme(deps, o),
  );
}
