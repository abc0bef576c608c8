import { compareState, isDrift } from "../core/compare.js";
import type { Deps } from "../core/deps.js";
import { ExitCode } from "../core/errors.js";
import { readInventory } from "../core/inventory.js";
import { checkTemplate } from "../core/naming.js";
import { checkReferences, splitReferenceCells } from "../core/secret-reference.js";
import type { ProviderName } from "../providers/types.js";
import { type CiOptions, publishCi } from "../ui/ci-output.js";
import { jsonItem, renderItems } from "../ui/render-plan.js";
import { type CommonOptions, newRunId, openProvider, reporterFor } from "./common.js";
import { closeSources, openSources, type SelectionOptions, type SourceOptions } from "./sources.js";

export interface ValidateOptions extends CommonOptions, SourceOptions, SelectionOptions, CiOptions {
  readonly exact?: boolean;
}

/** Does the vault hold exactly what the source holds? Reads only; exit 1 on drift. */
export async function validate(provider: ProviderName, options: ValidateOptions, deps: Deps): Promise<number> {
  if (options.nameTemplate) checkTemplate(options.nameTemplate);
  const reporter = reporterFor(deps, options);
  const started = deps.clock.now().getTime();
  const sources = await openSources(deps, options);
  try {
    const inventory = await readInventory(sources, { prefix: options.prefix, template: options.nameTemplate, env: options.env }, options);
    for (const w of inventory.warnings) reporter.warn(`${w.source}${w.line === undefined ? "" : `:${w.line}`}: ${w.message}`);
    const { store } = await openProvider(deps, options, provider, reporter);
    try {
      // After `--scrub reference` a cell holds `secret:<provider>:<name>`: check that secret exists instead of comparing.
      const { values, references } = splitReferenceCells(inventory.desired);
      const referenced = references.filter((r) => r.target.provider === provider).map((r) => r.target.name);
      const current = await store.readMany([...new Set([...values.map((d) => d.name), ...referenced])]);
      const notExtra = new Set([...referenced, ...references.map((r) => r.cell.name)]);
      const listed = (await store.list(options.prefix ?? "")).filter((n) => !notExtra.has(n));
      const items = [...compareState(values, current, listed), ...checkReferences(references, provider, current)].sort((a, b) =>
        a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
      );
      const summary: Record<string, number> = { "in-sync": 0, missing: 0, different: 0, extra: 0, conflict: 0 };
      for (const i of items) summary[i.action] = (summary[i.action] ?? 0) + 1;
      const drift = items.filter((i) => isDrift(i, Boolean(options.exact)));
      await publishCi(deps, options, `secrets validate ${provider}`, summary, items, started);
      if (options.json) {
        reporter.json({
          command: "validate",
          runId: newRunId(deps),
          provider,
          dryRun: true,
          inSync: drift.length === 0,
          summary,
          items: items.map((i) => jsonItem(i)),
          stats: store.stats,
        });
      } else {
        renderItems(
          reporter,
          items.filter((i) => i.action !== "in-sync"),
        );
        const parts = Object.entries(summary)
          .filter(([, n]) => n > 0)
          .map(([k, n]) => `${n} ${k}`);
        reporter.out(`${drift.length === 0 ? "in sync" : "drift found"}: ${parts.join(", ") || "no secrets"}`);
      }
      return drift.length === 0 ? ExitCode.ok : ExitCode.failed;
    } finally {
      await store.close();
    }
  } finally {
    await closeSources(sources);
  }
}
