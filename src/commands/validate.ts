import { lstatOrUndefined } from "../core/atomic-file.js";
import { type CommonOptions, newRunId, reporterFor } from "../core/command-options.js";
import { compareState } from "../core/compare.js";
import type { Deps } from "../core/deps.js";
import { ExitCode } from "../core/errors.js";
import { NameMatcher } from "../core/glob.js";
import { leanHeap } from "../core/heap-governor.js";
import { desiredBatches } from "../core/inventory.js";
import { NameIndex } from "../core/name-index.js";
import { checkTemplate } from "../core/naming.js";
import { openProvider } from "../core/open-provider.js";
import type { DesiredSecret } from "../core/plan.js";
import { checkReferences, splitReferenceCells } from "../core/secret-reference.js";
import type { ProviderName } from "../providers/index.js";
import type { SecretStore } from "../providers/types.js";
import { referenceContext } from "../references/open.js";
import { type ResolveContext, resolveEach } from "../references/resolve.js";
import { holdsReference } from "../references/syntax.js";
import { closeSources, openSources, type SelectionOptions, type SourceOptions } from "../sources/index.js";
import { at, lineOf } from "../sources/origin.js";
import type { SecretSource } from "../sources/types.js";
import { type CiOptions, publishCi } from "../ui/ci-output.js";
import { ItemSink } from "../ui/item-sink.js";
import { type RenderedItem, renderItems } from "../ui/render-plan.js";
import type { Reporter } from "../ui/reporter.js";

export interface ValidateOptions extends CommonOptions, SourceOptions, SelectionOptions, CiOptions {
  readonly exact?: boolean;
}

const ACTIONS = ["in-sync", "missing", "different", "extra", "conflict", "skip"];

/** Reads only; exit 1 on drift. Batch by batch like migrate: only names are remembered, for `extra`. */
export async function validate(provider: ProviderName, options: ValidateOptions, deps: Deps): Promise<number> {
  if (options.nameTemplate) checkTemplate(options.nameTemplate);
  const reporter = reporterFor(deps, options);
  const started = deps.clock.now().getTime();
  // It holds the store's index and the names it has met at once.
  leanHeap();
  const sources = await openSources(deps, options);
  try {
    const { store, stateDir } = await openProvider(deps, options, provider, reporter);
    // Only a folder the user named: the default one legitimately does not exist where only remote vaults are used.
    if ((options.stateDir ?? ".secrets") !== ".secrets" && !(await lstatOrUndefined(stateDir)))
      reporter.warn(`the state folder ${stateDir} does not exist (--state-dir): a store or journal kept there reads as empty; check the path`);
    try {
      const sink = new ItemSink(
        options.json ? deps.stdout : undefined,
        { command: "validate", runId: newRunId(deps), provider, dryRun: true },
        ACTIONS,
        (i) => i.action !== "in-sync",
      );
      // The JUnit report has one test case per secret, so only it keeps every row.
      const everything: RenderedItem[] | undefined = options.junit ? [] : undefined;
      const add = (items: RenderedItem[]) => {
        sink.add(items);
        everything?.push(...items);
      };
      try {
        const templates = await templateContext(deps, options, provider, store, reporter);
        const known = await compareBatches(sources, store, provider, options, reporter, add, templates);
        add(compareState([], new Map(), await extraNames(store, options.prefix ?? "", known)));
      } catch (error) {
        sink.fail(error);
        throw error;
      }
      const { summary } = sink;
      const drift = (summary.missing ?? 0) + (summary.different ?? 0) + (summary.conflict ?? 0) + (options.exact ? (summary.extra ?? 0) : 0);
      await publishCi(deps, options, `secrets validate ${provider}`, summary, everything ?? sink.notable(), started);
      if (options.json) {
        sink.close({ inSync: drift === 0, summary, stats: store.stats });
      } else {
        renderItems(reporter, sink.head, sink.shown);
        const parts = Object.entries(summary)
          .filter(([, n]) => n > 0)
          .map(([k, n]) => `${n} ${k}`);
        reporter.out(`${drift === 0 ? "in sync" : "drift found"}: ${parts.join(", ") || "no secrets"}`);
      }
      return drift === 0 ? ExitCode.ok : ExitCode.failed;
    } finally {
      await store.close();
    }
  } finally {
    await closeSources(sources);
  }
}

async function compareBatches(
  sources: readonly SecretSource[],
  store: SecretStore,
  provider: ProviderName,
  options: ValidateOptions,
  reporter: Reporter,
  add: (items: RenderedItem[]) => void,
  templates: ResolveContext,
): Promise<NameIndex> {
  const known = new NameIndex();
  const naming = { prefix: options.prefix, template: options.nameTemplate, env: options.env };
  const filter = new NameMatcher(options);
  for await (const batch of desiredBatches(sources, naming, filter)) {
    for (const w of batch.warnings) reporter.warn(`${at(w)}: ${w.message}`);
    // A scrubbed cell holds `secret:<provider>:<name>`: that secret must exist.
    const { values: plain, references } = splitReferenceCells(batch.desired);
    // A value of ${secret:…} references is in sync when every one of them resolves.
    const values = plain.filter((d) => !holdsReference(d.value));
    add(
      await checkTemplates(
        plain.filter((d) => holdsReference(d.value)),
        templates,
      ),
    );
    const referenced = references.filter((r) => r.target.provider === provider).map((r) => r.target.name);
    const current = await store.readMany([...new Set([...values.map((d) => d.name), ...referenced])]);
    for (const name of [...batch.desired.map((d) => d.name), ...referenced]) known.set(name, 1);
    add([...compareState(values, current, []), ...checkReferences(references, provider, current)]);
  }
  for (const w of filter.unmatched()) reporter.warn(w);
  return known;
}

/** An unqualified ${secret:NAME} is looked up in the provider being validated, through its open store. */
async function templateContext(deps: Deps, options: ValidateOptions, provider: ProviderName, store: SecretStore, reporter: Reporter): Promise<ResolveContext> {
  const others = await referenceContext(deps, options, reporter);
  return {
    ...others,
    providerFor: () => provider,
    read: async (p, names) =>
      p === provider ? new Map([...(await store.readMany(names))].filter(([, s]) => !s.deleted).map(([n, s]) => [n, s.value])) : others.read(p, names),
  };
}

async function checkTemplates(templates: readonly DesiredSecret[], ctx: ResolveContext): Promise<RenderedItem[]> {
  if (templates.length === 0) return [];
  const resolved = await resolveEach(
    templates.map((d) => ({ key: d.name, value: d.value, origin: d.origin })),
    ctx,
  );
  return resolved.map((r, i) => {
    const origin = templates[i]?.origin ?? { source: "" };
    const base = { name: r.key, source: origin.source, ...lineOf(origin) };
    return r.missing.length === 0 ? { ...base, action: "in-sync" } : { ...base, action: "missing", reason: r.missing.join("; ") };
  });
}

/** A listing may lag behind the service, so each candidate is confirmed by a read by name. */
async function extraNames(store: SecretStore, prefix: string, known: Pick<NameIndex, "has">): Promise<string[]> {
  const unknown = (n: string) => !known.has(n);
  const candidates = (await store.list(prefix, (n) => !unknown(n))).filter(unknown);
  if (candidates.length === 0) return [];
  const held = await store.readMany(candidates);
  return candidates.filter((n) => held.has(n) && !held.get(n)?.deleted);
}
