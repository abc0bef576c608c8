import { resolve } from "node:path";
import { writeFileAtomic } from "../core/atomic-file.js";
import { type CommonOptions, reporterFor, stateDirOf } from "../core/command-options.js";
import type { Deps } from "../core/deps.js";
import { ExitCode, usageError } from "../core/errors.js";
import { NameMatcher } from "../core/glob.js";
import { readInventory } from "../core/inventory.js";
import { deriveSecretName, dnsSubdomainProblem, keyProblem, toKey } from "../core/kubernetes-names.js";
import { checkTemplate } from "../core/naming.js";
import type { EsoSupport } from "../providers/descriptor.js";
import { DESCRIPTORS, type ProviderName } from "../providers/index.js";
import type { SecretStore } from "../providers/types.js";
import { closeSources, openSources, type SelectionOptions, type SourceOptions } from "../sources/index.js";
import { at } from "../sources/origin.js";
import { type EsoEntry, esoManifests, toYaml } from "../ui/eso-manifests.js";

export interface ExportK8sOptions extends CommonOptions, SourceOptions, SelectionOptions {
  readonly provider?: string;
  readonly output?: string;
}

/** Names come from migrate's naming and the provider's name check; the provider is never contacted, so no value is read. */
export async function exportK8s(options: ExportK8sOptions, deps: Deps): Promise<number> {
  const { name: provider, eso } = esoProvider(options.provider);
  if (options.nameTemplate) checkTemplate(options.nameTemplate);
  const reporter = reporterFor(deps, options);
  const o = options.providerOptions ?? {};

  // 1. Read the sources and name every entry, as migrate does.
  const sources = await openSources(deps, options);
  let names: string[];
  try {
    const filter = new NameMatcher(options);
    const inventory = await readInventory(sources, { prefix: options.prefix, template: options.nameTemplate, env: options.env }, filter);
    for (const w of [...inventory.warnings.map((w) => `${at(w)}: ${w.message}`), ...filter.unmatched()]) reporter.warn(w);
    names = [...new Set(inventory.desired.map((d) => d.name))].sort();
  } finally {
    await closeSources(sources);
  }

  // 2. Where each name lands in the provider, and its key in the target Secret (after --prefix).
  const store = await openStore(deps, options, provider);
  const entries: EsoEntry[] = [];
  const refused: string[] = [];
  const property = eso.property?.(o);
  try {
    for (const name of names) {
      const check = store.checkName(name);
      const key = toKey(options.prefix && name.startsWith(options.prefix) ? name.slice(options.prefix.length) : name);
      const problem = check.invalid ?? keyProblem(key);
      if (problem) refused.push(`${name}: ${problem}`);
      else entries.push({ secretKey: key, remoteKey: check.stored, ...(property ? { property } : {}) });
    }
  } finally {
    await store.close();
  }
  if (refused.length > 0)
    throw usageError(
      "EXPORT_INVALID_NAMES",
      `${refused.length} name(s) cannot be exported:\n  ${refused.join("\n  ")}`,
      "rename them, or leave them out with --exclude",
    );
  if (entries.length === 0) throw usageError("EXPORT_NOTHING", "the sources hold no secrets to export");

  // 3. Render the manifests; they go to --output or stdout.
  const target = o.secretName?.trim() || deriveSecretName(options.from?.[0] ?? ".env");
  const bad = dnsSubdomainProblem(target);
  if (bad) throw usageError("EXPORT_SECRET_NAME", `--secret-name "${target}": ${bad}`);
  const documents = esoManifests({ provider, block: eso.block(o, deps.env), target, entries });
  const file = options.output ? resolve(deps.cwd, options.output) : undefined;
  if (file) await writeFileAtomic(file, toYaml(documents, provider), 0o644);
  if (options.json) reporter.json({ command: "export k8s", provider, target, output: file ?? null, entries: entries.length, documents });
  else if (!file) reporter.out(toYaml(documents, provider));
  if (file) reporter.info(`wrote a SecretStore and an ExternalSecret (${entries.length} key(s) → Secret "${target}") to ${options.output}`);
  return ExitCode.ok;
}

function esoProvider(name: string | undefined): { name: ProviderName; eso: EsoSupport } {
  const names = DESCRIPTORS.filter((d) => d.eso).map((d) => d.name);
  if (name === undefined) throw usageError("EXPORT_PROVIDER", "say which provider holds the secrets", `--provider ${names.join("|")}`);
  const found = DESCRIPTORS.find((d) => d.name === name);
  if (!found?.eso) throw usageError("EXPORT_PROVIDER", `export k8s supports ${names.join(", ")}, not "${name}"`);
  return { name: found.name, eso: found.eso };
}

function openStore(deps: Deps, options: CommonOptions, provider: ProviderName): Promise<SecretStore> {
  return deps.providers(provider, {
    stateDir: stateDirOf(deps, options),
    key: undefined,
    options: options.providerOptions ?? {},
    env: deps.env,
    clock: deps.clock,
    concurrency: undefined,
    onEvent: () => {},
  });
}
