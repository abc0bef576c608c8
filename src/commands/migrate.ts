import type { StepResult } from "../core/apply.js";
import { ensurePrivateDir } from "../core/atomic-file.js";
import { BackupWriter } from "../core/backup.js";
import type { Deps } from "../core/deps.js";
import { ExitCode } from "../core/errors.js";
import { Journal } from "../core/journal.js";
import { acquireLock } from "../core/lock.js";
import { checkTemplate } from "../core/naming.js";
import type { OnConflict } from "../core/plan.js";
import { summarize } from "../core/plan.js";
import { planStream } from "../core/plan-stream.js";
import type { ProviderName } from "../providers/types.js";
import { type RenderedItem, jsonItem, renderItems, summaryLine } from "../ui/render-plan.js";
import { type CiOptions, publishCi } from "../ui/ci-output.js";
import type { Reporter } from "../ui/reporter.js";
import { applyBatches, survey } from "./migrate-passes.js";
import { ColumnStep, type ScrubMode, isReferenceCell } from "./scrub-step.js";
import { type CommonOptions, confirmLive, needKey, newRunId, openProvider, reporterFor, requireConsentPossible } from "./common.js";
import { type SelectionOptions, type SourceOptions, closeSources, openSources } from "./sources.js";

export interface MigrateOptions extends CommonOptions, SourceOptions, SelectionOptions, CiOptions {
  readonly onConflict?: OnConflict;
  /** Database cells after a fully successful live run: left alone, set to NULL, or `secret:<provider>:<name>`. */
  readonly scrub?: ScrubMode;
  /** Write (never run) the DROP COLUMN migration for the migrated columns. */
  readonly emitSql?: string;
}

/**
 * read → plan → (confirm) → backup → apply. Sources are read twice, batch by batch: once to plan
 * everything (nothing is written if any batch is blocked), once to apply, so memory stays bounded
 * by the batch size however large a table is.
 */
export async function migrate(provider: ProviderName, options: MigrateOptions, deps: Deps): Promise<number> {
  requireConsentPossible(deps, options);
  if (options.nameTemplate) checkTemplate(options.nameTemplate);
  const reporter = reporterFor(deps, options);
  const runId = newRunId(deps);
  const started = deps.clock.now().getTime();
  const cleanups: (() => Promise<void>)[] = [];
  try {
    // 1. The sources, the provider, and for a live run the key and the state lock.
    const sources = await openSources(deps, options);
    cleanups.push(() => closeSources(sources));
    const columns = await ColumnStep.prepare(sources, options, deps.cwd, provider, reporter);
    const { store, key, stateDir } = await openProvider(deps, options, provider, reporter);
    cleanups.push(() => store.close());
    if (!options.dryRun) {
      needKey(key);
      await ensurePrivateDir(stateDir);
      cleanups.push(await acquireLock(`${stateDir}/lock`));
    }
    let references = 0;
    const stream = () =>
      planStream(sources, store, {
        naming: { prefix: options.prefix, template: options.nameTemplate, env: options.env },
        filter: options,
        skip: (d) => {
          const reference = isReferenceCell(d);
          if (reference) references++;
          return reference;
        },
        plan: {
          runId,
          onConflict: options.onConflict ?? "fail",
          checkName: (n) => store.checkName(n),
          checkValue: (v) => store.checkValue(v),
          checkBatch: store.checkBatch?.bind(store),
          restoreDeleted: options.providerOptions?.restoreDeleted === "true" || options.providerOptions?.recoverDeleted === "true",
        },
      });

    // 2. Plan everything (pure per batch) and show it.
    reporter.progress(`planning against ${provider}…`, true);
    const planned = await survey(stream(), reporter, columns);
    if (!store.versioned && planned.writes > 0) reporter.info(`${provider} keeps no versions: a rollback of this run restores from its encrypted backup`);
    // Counted during the first pass only; the second pass skips the same cells again.
    if (references > 0) reporter.warn(`--db: ${references} cell(s) already hold a secret: reference (scrubbed earlier); not migrated again`);
    if (options.dryRun || planned.blocked || (planned.writes === 0 && planned.scrubCells === 0)) {
      const step = await columns.withoutRun(planned.scrubCells, planned.blocked, !options.dryRun);
      const note = options.dryRun ? "dry run: nothing was written" : planned.blocked ? "the plan has conflicts or invalid names; nothing was written" : undefined;
      const code = await finish(reporter, options, { runId, provider, items: planned.items, store: store.stats, note, extra: step.json, started }, deps);
      return step.failed ? ExitCode.failed : code;
    }

    // 3. Consent, then batch by batch: the backup of what it overwrites, then its writes.
    if (!options.json) renderItems(reporter, planned.items);
    if (!(await confirmLive(deps, options, `Apply ${planned.writes} change(s) to ${provider}${columns.describe(planned.scrubCells)}?`))) {
      reporter.info("cancelled; nothing was written");
      return ExitCode.failed;
    }
    const backup = await BackupWriter.create(stateDir, runId, needKey(key));
    const journal = await Journal.open(stateDir, deps.clock);
    await journal.append([{ runId, type: "run-start", command: "migrate", provider, data: { writes: planned.writes } }]);
    let interrupted = false;
    const stopListening = deps.signals.onInterrupt(() => {
      interrupted = true;
      reporter.warn("interrupted: finishing the writes in flight, then stopping");
    });
    let applied: Awaited<ReturnType<typeof applyBatches>>;
    try {
      const concurrency = options.concurrency ?? store.defaultConcurrency;
      applied = await applyBatches(stream(), { store, journal, backup, runId, concurrency, interrupted: () => interrupted, reporter, columns, total: planned.writes });
    } finally {
      stopListening();
    }
    const results = [...applied.results.values()];
    const failed = results.filter((r) => r.status !== "done").length;
    const drifted = applied.items.some((i) => i.action === "conflict" || i.action === "invalid");
    const why = interrupted ? "the run was interrupted" : failed > 0 ? `${failed} vault write(s) failed` : drifted ? "the source or the vault changed while the run was planned" : undefined;

    // 4. Database columns, only after every write succeeded.
    const step = await columns.afterRun({ ok: why === undefined, why, cells: applied.cells, runId, backup, journal });
    const status = interrupted ? "interrupted" : why !== undefined || step.failed ? "failed" : "ok";
    await journal.append([{ runId, type: "run-end", status, data: { failed } }]);
    const items = applied.items.map((i) => withResult(i, applied.results.get(i.name)));
    const code = await finish(reporter, { ...options, dryRun: false }, { runId, provider, items, store: store.stats, note: undefined, quietTable: true, extra: step.json, started }, deps);
    if (status !== "ok") reporter.info(`to undo this run: secrets rollback ${provider} --run ${runId}`);
    return interrupted ? ExitCode.interrupted : step.failed ? ExitCode.failed : code;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

function withResult(item: RenderedItem, result: StepResult | undefined): RenderedItem {
  if (!result || result.status === "done") return result?.version ? { ...item, version: result.version } : item;
  return { ...item, action: "failed", error: result.status === "not-started" ? "not started (interrupted)" : result.error };
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
