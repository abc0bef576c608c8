import { randomBytes } from "node:crypto";
import { resolve as resolvePath } from "node:path";
import { applyLayers } from "./config/layers.js";
import { COMMANDS, keyOf } from "./config/options.js";
import type { Deps } from "./core/deps.js";
import { usageError } from "./core/errors.js";
import { createProvider } from "./providers/index.js";
import { type LoadOptions, loadResolved } from "./references/load.js";
import { referenceContext } from "./references/open.js";
import { resolveTemplates } from "./references/resolve.js";
import { Reporter } from "./ui/reporter.js";

/**
 * The library API: what `secrets run` does, for an application that loads its secrets at start-up.
 * Configuration is read as the CLI reads it (SECRETS_* variables, then secretshift.yaml); only the
 * SDK of a provider a reference names is loaded.
 */
export interface LoadEnvOptions {
  /** The file(s) to read, in order (a later file's key wins); default `.env`. */
  readonly path?: string | readonly string[];
  /** Also set each value in `process.env` (or `env`), overwriting what is there. Default false. */
  readonly assign?: boolean;
  /** Where an unqualified `${secret:NAME}` lives; default as for the CLI. */
  readonly provider?: string;
  /** Default `process.cwd()`. */
  readonly cwd?: string;
  /** Default `process.env`: read for `${env:VAR}` and provider settings, written with `assign`. */
  readonly env?: NodeJS.ProcessEnv;
}

export async function loadEnv(options: LoadEnvOptions = {}): Promise<Record<string, string>> {
  const deps = libraryDeps(options);
  const paths = options.path === undefined ? undefined : typeof options.path === "string" ? [options.path] : [...options.path];
  const settings = await cliSettings(deps, options.provider);
  const values = await loadResolved(deps, { ...settings, ...(paths ? { from: paths } : {}) }, quiet(deps));
  const out = Object.fromEntries(values.map((v) => [v.key, v.value]));
  if (options.assign) Object.assign(deps.env, out);
  return out;
}

/** Resolves the references in each value of a map (a value without one comes back unchanged). */
export async function resolveReferences(
  values: Readonly<Record<string, string>>,
  options: Omit<LoadEnvOptions, "path" | "assign"> = {},
): Promise<Record<string, string>> {
  const deps = libraryDeps(options);
  const ctx = await referenceContext(deps, await cliSettings(deps, options.provider), quiet(deps));
  const entries = Object.entries(values).map(([key, value]) => ({ key, value, origin: { source: key } }));
  return Object.fromEntries((await resolveTemplates(entries, ctx)).map((v) => [v.key, v.value]));
}

/** The `run` command's settings below the command line: SECRETS_* variables, then secretshift.yaml. */
async function cliSettings(deps: Deps, provider: string | undefined): Promise<LoadOptions> {
  const spec = COMMANDS.find((c) => c.name === "run");
  if (!spec) throw new Error("the run command is missing");
  const flags = new Map<string, unknown>(provider ? [["provider", provider]] : []);
  const layers = await applyLayers(spec.options, { flags, providerArg: undefined, sourceGiven: false }, deps);
  const raw = Object.fromEntries([...layers].map(([k, r]) => [k, r.value]));
  const providerOptions: Record<string, string> = {};
  for (const key of spec.options.filter((o) => o.provider).map(keyOf)) if (raw[key] !== undefined) providerOptions[key] = String(raw[key]);
  return { ...raw, providerOptions } as LoadOptions;
}

function libraryDeps(options: Pick<LoadEnvOptions, "cwd" | "env">): Deps {
  const cwd = resolvePath(options.cwd ?? process.cwd());
  const neverAsk = async (): Promise<never> => {
    throw usageError("NO_PROMPT", "the library never asks");
  };
  return {
    cwd,
    env: options.env ?? process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    interactive: false,
    clock: { now: () => new Date(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    randomBytes,
    prompt: { confirm: neverAsk, select: neverAsk, checkbox: neverAsk },
    providers: createProvider,
    // The application owns its signals: the library registers no handler.
    signals: { onInterrupt: () => () => undefined },
  };
}

/** Warnings only (a malformed .env line), on stderr; never a value. */
const quiet = (deps: Deps) => new Reporter(deps, { quiet: true });
