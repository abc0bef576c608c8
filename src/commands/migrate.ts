import { type StepResult, applyPlan } from "../core/apply.js";
import { ensurePrivateDir } from "../core/atomic-file.js";
import { BackupWriter } from "../core/backup.js";
import type { Deps } from "../core/deps.js";
import { ExitCode } from "../core/errors.js";
import { readInventory } from "../core/inventory.js";
import { Journal } from "../core/journal.js";
import { acquireLock } from "../core/lock.js";
import { checkTemplate } from "../core/naming.js";
import { type OnConflict, type Plan, planMigration, summarize } from "../core/plan.js";
import type { ProviderName } from "../providers/types.js";
import { mask } from "../ui/mask.js";
import { type RenderedItem, jsonItem, renderItems, summaryLine } from "../ui/render-plan.js";
import { type CiOptions, publishCi } from "../ui/ci-output.js";
import type { Reporter } from "../ui/reporter.js";
import { ColumnStep, type ScrubMode, withoutReferenceCells } from "./scrub-step.js";
import { type CommonOptions, confirmLive, needKey, newRunId, openProvider, reporterFor, requireConsentPossible } from "./common.js";
import { type SelectionOptions, type SourceOptions, closeSources, openSources } from "./sources.js";

export interface MigrateOptions extends CommonOptions, SourceOptions, SelectionOptions, CiOptions {
  readonly onConflict?: OnConflict;
  /** Database cells after a fully successful live run: left alone, set to NULL, or `secret:<provider>:<name>`. */
  readonly scrub?: ScrubMode;
  /** Write (never run) the DROP COLUMN migration for the migrated columns. */
  readonly emitSql?: string;
}

/** read → plan → (confirm) → backup → apply, each step finished before the next starts. */
export async function migrate(provider: ProviderName, options: MigrateOptions, deps: Deps): Promise<number> {
  requireConsentPossible(deps, options);
  if (options.nameTemplate) checkTemplate(options.nameTemplate);
  const reporter = reporterFor(deps, options);
  const runId = newRunId(deps);
  const started = deps.clock.now().getTime();
  const cleanups: (() => Promise<void>)[] = [];
  try {
    // 1. Read every source to the end.
    const sources = await openSources(deps, options);
    cleanups.push(() => closeSources(sources));
    const inventory = withoutReferenceCells(await readInventory(sources, { prefix: options.prefix, template: options.nameTemplate, env: options.env }, options));
    for (const w of inventory.warnings) reporter.warn(`${w.source}${w.line === undefined ? "" : `:${w.line}`}: ${w.message}`);
    const columnStep = await ColumnStep.prepare(sources, options, deps.cwd, provider, reporter);

    // 2. Reach the provider; a live run needs the key and the state lock before it reads current state.
    const { store, key, stateDir } = await openProvider(deps, options, provider, reporter);
    cleanups.push(() => store.close());
    if (!options.dryRun) {
      needKey(key);
      await ensurePrivateDir(stateDir);
      const release = await acquireLock(`${stateDir}/lock`);
      cleanups.push(release);
    }

    // 3. Plan (pure) and show it.
    reporter.progress(`reading ${inventory.desired.length} secrets from ${provider}…`, true);
    const current = await store.readMany([...new Set(inventory.desired.map((d) => d.name))]);
    const plan = planMigration(inventory.desired, current, { runId, onConflict: options.onConflict ?? "fail", checkName: (n) => store.checkName(n), checkValue: (v) => store.checkValue(v), checkBatch: store.checkBatch?.bind(store), restoreDeleted: options.providerOptions?.restoreDeleted === "true" || options.providerOptions?.recoverDeleted === "true" });
    if (!store.versioned && plan.ops.length > 0) reporter.info(`${provider} keeps no versions: a rollback of this run restores from its encrypted backup`);
    const previews = new Map(inventory.desired.map((d) => [d.name, mask(d.value)]));
    const planned: RenderedItem[] = plan.items.map((i) => ({ ...i, preview: previews.get(i.name) }));

    const scrubCells = columnStep.planned(plan, inventory.desired);
    if (options.dryRun || plan.blocked || (plan.ops.length === 0 && scrubCells === 0)) {
      const step = await columnStep.withoutRun(plan, inventory.desired, !options.dryRun);
      const code = await finish(reporter, options, { runId, provider, items: planned, store: store.stats, note: planNote(plan, options), extra: step.json, started }, deps);
      return step.failed ? ExitCode.failed : code;
    }

    // 4. Consent, then the backup of everything this run will overwrite, then the writes.
    if (!options.json) renderItems(reporter, planned);
    if (!(await confirmLive(deps, options, `Apply ${plan.ops.length} change(s) to ${provider}${columnStep.describe(scrubCells)}?`))) {
      reporter.info("cancelled; nothing was written");
      return ExitCode.failed;
    }
    const backup = await BackupWriter.create(stateDir, runId, needKey(key));
    await backup.append({ priors: plan.ops.map((op) => priorOf(op.name, current)) });
    const journal = await Journal.open(stateDir, deps.clock);
    await journal.append([{ runId, type: "run-start", command: "migrate", provider, data: { writes: plan.ops.length } }]);

    let interrupted = false;
    const stopListening = deps.signals.onInterrupt(() => {
      interrupted = true;
      reporter.warn("interrupted: finishing the writes in flight, then stopping");
    });
    let results: StepResult[];
    try {
      results = await applyPlan(plan.ops, {
        store,
        journal,
        runId,
        concurrency: options.concurrency ?? store.defaultConcurrency,
        interrupted: () => interrupted,
        onProgress: (done, total) => reporter.progress(`migrating ${done}/${total}…`),
      });
    } finally {
      stopListening();
    }
    const failed = results.filter((r) => r.status !== "done").length;
    const why = interrupted ? "the run was interrupted" : failed > 0 ? `${failed} vault write(s) failed` : undefined;
    const step = await columnStep.afterRun({ ok: why === undefined, why, plan, desired: inventory.desired, runId, backup, journal });
    const status = interrupted ? "interrupted" : failed > 0 || step.failed ? "failed" : "ok";
    await journal.append([{ runId, type: "run-end", status, data: { failed } }]);

    const byName = new Map(results.map((r) => [r.name, r]));
    const items = planned.map((i) => withResult(i, byName.get(i.name)));
    const code = await finish(reporter, { ...options, dryRun: false }, { runId, provider, items, store: store.stats, note: undefined, quietTable: true, extra: step.json, started }, deps);
    if (status !== "ok") reporter.info(`to undo this run: secrets rollback ${provider} --run ${runId}`);
    return interrupted ? ExitCode.interrupted : step.failed ? ExitCode.failed : code;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

const priorOf = (name: string, current: ReadonlyMap<string, { value: string; version: string }>) => {
  const have = current.get(name);
  return have ? { name, existed: true, value: have.value, version: have.version } : { name, existed: false };
};

function withResult(item: RenderedItem, result: StepResult | undefined): RenderedItem {
  if (!result || result.status === "done") return result?.version ? { ...item, version: result.version } : item;
  return { ...item, action: "failed", error: result.status === "not-started" ? "not started (interrupted)" : result.error };
}

function planNote(plan: Plan, options: MigrateOptions): string | undefined {
  if (options.dryRun) return "dry run: nothing was written";
  if (plan.blocked) return "the plan has conflicts or invalid names; nothing was written";
  return undefined;
}

interface Outcome {
  readonly runId: string;
  readonly provider: ProviderName;
  readonly items: RenderedItem[];
  readonly store: { apiCalls: number };
  readonly note: string | undefined;
  readonly quietTable?: boolean;
  readonly started: number;
  /** `scrub` / `emitSql` results of the column step. */
  readonly extra?: Record<string, unknown>;
}

async function finish(reporter: Reporter, options: MigrateOptions, o: Outcome, deps: Deps): Promise<number> {
  const summary = summarize(o.items);
  await publishCi(deps, options, `secrets migrate ${o.provider}${options.dryRun ? " (dry run)" : ""}`, summary, o.items, o.started);
  const bad = (summary.conflict ?? 0) + (summary.invalid ?? 0) + (summary.failed ?? 0);
  if (options.json) {
    reporter.json({ command: "migrate", runId: o.runId, provider: o.provider, dryRun: Boolean(options.dryRun), summary, items: o.items.map(jsonItem), stats: o.store, ...o.extra });
  } else {
    if (!o.quietTable || bad > 0) renderItems(reporter, o.quietTable ? o.items.filter((i) => i.action === "failed") : o.items);
    reporter.out(summaryLine(summary));
    if (o.note) reporter.info(o.note);
    for (const hint of new Set(o.items.map((i) => i.hint).filter(Boolean))) reporter.info(`hint: ${hint}`);
  }
  reporter.verbose(`api calls: ${o.store.apiCalls}`);
  return bad > 0 ? ExitCode.failed : ExitCode.ok;
}
