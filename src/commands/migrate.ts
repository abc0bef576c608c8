import { Writer } from "../core/apply.js";
import { ensurePrivateDir } from "../core/atomic-file.js";
import { BackupWriter } from "../core/backup.js";
import { type CommonOptions, confirmLive, needKey, newRunId, reporterFor, requireConsentPossible } from "../core/command-options.js";
import type { Deps } from "../core/deps.js";
import { ExitCode } from "../core/errors.js";
import { acquireLock } from "../core/lock.js";
import { applyBatches, survey } from "../core/migrate-passes.js";
import { checkTemplate } from "../core/naming.js";
import { openProvider } from "../core/open-provider.js";
import type { OnConflict } from "../core/plan.js";
import { planStream } from "../core/plan-stream.js";
import type { ProviderName } from "../providers/index.js";
import { ColumnStep, isReferenceCell, type ScrubMode } from "../sources/column-scrub.js";
import { closeSources, openSources, type SelectionOptions, type SourceOptions } from "../sources/index.js";
import { type CiOptions, publishCi } from "../ui/ci-output.js";
import { ItemSink } from "../ui/item-sink.js";
import { renderItems, summaryLine } from "../ui/render-plan.js";
import type { Reporter } from "../ui/reporter.js";

export interface MigrateOptions extends CommonOptions, SourceOptions, SelectionOptions, CiOptions {
  readonly onConflict?: OnConflict;
  readonly scrub?: ScrubMode;
  readonly emitSql?: string;
}

/**
 * read → plan → (confirm) → backup → apply. Sources are read twice, batch by batch (plan all, then
 * apply), so nothing is written if any batch is blocked and memory stays bounded by the batch size.
 */
export async function migrate(provider: ProviderName, options: MigrateOptions, deps: Deps): Promise<number> {
  requireConsentPossible(deps, options);
  if (options.nameTemplate) checkTemplate(options.nameTemplate);
  const reporter = reporterFor(deps, options);
  const runId = newRunId(deps);
  const started = deps.clock.now().getTime();
  const cleanups: (() => Promise<void>)[] = [];
  const sinks: ItemSink[] = [];
  try {
    // 1. The sources, the provider, and for a live run the key and the state lock.
    const sources = await openSources(deps, options);
    cleanups.push(() => closeSources(sources));
    const columns = await ColumnStep.prepare(sources, options, deps.cwd, provider, reporter);
    const { store, key, stateDir, openJournal } = await openProvider(deps, options, provider, reporter);
    cleanups.push(() => store.close());
    let writer: Writer | undefined;
    if (!options.dryRun) {
      const dataKey = needKey(key);
      await ensurePrivateDir(stateDir);
      cleanups.push(await acquireLock(`${stateDir}/lock`));
      // Journalled before planning: a run killed from here on is the one `rollback --last` finds (with nothing to undo).
      const resume = `run the same command again to finish, or \`secrets rollback ${provider} --run ${runId}\` to undo it`;
      writer = await Writer.start(
        { journal: await openJournal(), runId, signals: deps.signals, key: dataKey, warn: (m) => reporter.warn(m), resume },
        { command: "migrate", provider },
      );
      const opened = writer;
      cleanups.push(() => opened.close());
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

    // 2. Plan everything (pure per batch). A dry run's rows are its output; a live run only counts them here.
    reporter.progress(`planning against ${provider}…`, true);
    const header = { command: "migrate", runId, provider, dryRun: Boolean(options.dryRun) };
    const output = new ItemSink(options.json ? deps.stdout : undefined, header, ACTIONS);
    sinks.push(output);
    const planSink = options.dryRun ? output : new ItemSink(undefined, header, ACTIONS);
    const planned = await survey(stream(), planSink, reporter, columns, { stop: () => writer?.interrupted ?? false });
    if (writer?.interrupted) {
      await writer.end("interrupted", { writes: 0 });
      output.close({ interrupted: true });
      reporter.info("interrupted while planning; nothing was written");
      return ExitCode.interrupted;
    }
    if (!store.versioned && planned.writes > 0) reporter.info(`${provider} keeps no versions: a rollback of this run restores from its encrypted backup`);
    // Counted during the first pass only; the second pass skips the same cells again.
    if (references > 0) reporter.warn(`--db: ${references} cell(s) already hold a secret: reference (scrubbed earlier); not migrated again`);
    if (options.dryRun || planned.blocked || (planned.writes === 0 && planned.scrubCells === 0)) {
      // A live run that stops here shows its plan. Without --json the first pass's sink already holds
      // every row the table and summary show; only a JSON document needs the rows read once more.
      const shown = planSink === output || !options.json ? planSink : output;
      if (shown !== planSink) await survey(stream(), output, reporter, columns, { quiet: true });
      const step = await columns.withoutRun(planned.scrubCells, planned.blocked, !options.dryRun);
      const note = options.dryRun
        ? "dry run: nothing was written"
        : planned.blocked
          ? "the plan has conflicts or invalid names; nothing was written"
          : undefined;
      const code = await finish(reporter, options, shown, { provider, store: store.stats, note, extra: step.json, started }, deps);
      await writer?.end(planned.blocked ? "blocked" : step.failed ? "failed" : "ok", { writes: 0 });
      const exit = step.failed ? ExitCode.failed : code;
      return writer ? writer.exitCode(exit) : exit;
    }
    const live = writer as Writer;

    // 3. Consent, then batch by batch: the backup of what it overwrites, then its writes.
    if (!options.json) renderItems(reporter, planSink.head, planSink.count);
    if (!(await confirmLive(deps, options, `Apply ${planned.writes} change(s) to ${provider}${columns.describe(planned.scrubCells)}?`))) {
      reporter.info("cancelled; nothing was written");
      output.close({ cancelled: true });
      await live.end("cancelled", { writes: 0 });
      return ExitCode.failed;
    }
    const backup = await BackupWriter.create(stateDir, runId, needKey(key));
    const applied = await applyBatches(stream(), {
      store,
      writer: live,
      backup,
      concurrency: options.concurrency ?? store.defaultConcurrency,
      reporter,
      columns,
      total: planned.writes,
      sink: output,
    });
    const { failed, drifted } = applied;
    const why = live.interrupted
      ? "the run was interrupted"
      : failed > 0
        ? `${failed} vault write(s) failed`
        : drifted > 0
          ? "the source or the vault changed while the run was planned"
          : undefined;

    // 4. Database columns, only after every write succeeded.
    const step = await columns.afterRun({ ok: why === undefined, why, cells: applied.cells, writer: live, backup });
    const status = await live.end(why !== undefined || step.failed ? "failed" : "ok", { writes: planned.writes, failed });
    const code = await finish(
      reporter,
      { ...options, dryRun: false },
      output,
      { provider, store: store.stats, note: undefined, quietTable: true, extra: step.json, started },
      deps,
    );
    // After an interrupt the writer has said how to go on.
    if (status === "failed") reporter.info(`to undo this run: secrets rollback ${provider} --run ${runId}`);
    return live.exitCode(step.failed ? ExitCode.failed : code);
  } catch (error) {
    // Part of the JSON document may be on stdout already: end it with the error instead of starting a second one.
    for (const sink of sinks) sink.fail(error);
    throw error;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

const ACTIONS = ["create", "update", "unchanged", "skip", "conflict", "invalid", "failed"];

interface Outcome {
  readonly provider: ProviderName;
  readonly store: { apiCalls: number };
  readonly note: string | undefined;
  readonly quietTable?: boolean;
  readonly started: number;
  readonly extra?: Record<string, unknown>;
}

async function finish(reporter: Reporter, options: MigrateOptions, sink: ItemSink, o: Outcome, deps: Deps): Promise<number> {
  const { summary } = sink;
  await publishCi(deps, options, `secrets migrate ${o.provider}${options.dryRun ? " (dry run)" : ""}`, summary, sink.notable(), o.started);
  const bad = (summary.conflict ?? 0) + (summary.invalid ?? 0) + (summary.failed ?? 0);
  if (options.json) {
    sink.close({ summary, stats: o.store, ...o.extra });
  } else {
    if (!o.quietTable) renderItems(reporter, sink.head, sink.count);
    else if (bad > 0) renderItems(reporter, sink.problems, sink.problems.length);
    reporter.out(summaryLine(summary));
    if (o.note) reporter.info(o.note);
    for (const hint of sink.hints) reporter.info(`hint: ${hint}`);
  }
  reporter.verbose(`api calls: ${o.store.apiCalls}`);
  return bad > 0 ? ExitCode.failed : ExitCode.ok;
}
