import { Writer } from "../core/apply.js";
import { ensurePrivateDir } from "../core/atomic-file.js";
import { BackupWriter } from "../core/backup.js";
import { type CommonOptions, lockState, needKey, newRunId, reporterFor, requireConsentPossible } from "../core/command-options.js";
import type { Deps } from "../core/deps.js";
import { ExitCode } from "../core/errors.js";
import { NameMatcher } from "../core/glob.js";
import { applyBatches, survey } from "../core/migrate-passes.js";
import { checkTemplate } from "../core/naming.js";
import { openProvider } from "../core/open-provider.js";
import type { DesiredSecret, OnConflict, Plan } from "../core/plan.js";
import { planStream } from "../core/plan-stream.js";
import type { ProviderName } from "../providers/index.js";
import { holdsReference } from "../references/syntax.js";
import { ColumnStep, isReferenceCell } from "../sources/column-scrub.js";
import { FileScrub } from "../sources/file-scrub.js";
import { closeSources, openSources, type SelectionOptions, type SourceOptions } from "../sources/index.js";
import { type AnyScrubMode, referenceFor, splitScrub } from "../sources/scrub-modes.js";
import { type CiOptions, publishCi } from "../ui/ci-output.js";
import { collectPlan, confirmPlan, fullPlanText } from "../ui/confirm-plan.js";
import { doneLine, runDone } from "../ui/done-line.js";
import { ItemSink } from "../ui/item-sink.js";
import { pickable, tooManyToPick, untickedNames } from "../ui/pick-keys.js";
import { renderItems, summaryLine } from "../ui/render-plan.js";
import type { Reporter } from "../ui/reporter.js";
import { askSource } from "../ui/wizard.js";

export interface MigrateOptions extends CommonOptions, SourceOptions, SelectionOptions, CiOptions {
  readonly onConflict?: OnConflict;
  readonly scrub?: AnyScrubMode;
  readonly emitSql?: string;
}

/**
 * read → plan → (confirm) → backup → apply. Sources are read twice, batch by batch (plan all, then
 * apply), so nothing is written if any batch is blocked and memory stays bounded by the batch size.
 */
export async function migrate(provider: ProviderName, given: MigrateOptions, deps: Deps): Promise<number> {
  requireConsentPossible(deps, given);
  const options = await withAskedSource(deps, given);
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
    const scrub = splitScrub(options.scrub ?? "none", sources);
    const columns = await ColumnStep.prepare(sources, { ...options, scrub: scrub.columns }, deps.cwd, provider, reporter);
    const files = scrub.files && new FileScrub(FileScrub.fileSources(sources), scrub.files, referenceFor(provider, deps.env), reporter);
    const toScrub = { planned: (plan: Plan, desired: readonly DesiredSecret[]) => columns.planned(plan, desired) + (files?.planned(plan, desired) ?? 0) };
    const { store, key, stateDir, openJournal } = await openProvider(deps, options, provider, reporter);
    cleanups.push(() => store.close());
    let writer: Writer | undefined;
    if (!options.dryRun) {
      const dataKey = needKey(key);
      await ensurePrivateDir(stateDir);
      cleanups.push(await lockState(deps, stateDir, "migrate", reporter));
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
    const filter = new NameMatcher(options);
    let templates = 0;
    const stream = () =>
      planStream(sources, store, {
        naming: { prefix: options.prefix, template: options.nameTemplate, env: options.env },
        filter,
        skip: (d) => {
          const reference = isReferenceCell(d);
          if (reference) references++;
          // A value that refers to a secret is where a migration ends, never where one starts.
          const template = !reference && holdsReference(d.value);
          if (template) templates++;
          return reference || template;
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
    let planSink = options.dryRun ? output : new ItemSink(undefined, header, ACTIONS);
    let planned = await survey(stream(), planSink, reporter, toScrub, { stop: () => writer?.interrupted ?? false });
    if (writer?.interrupted) {
      await writer.end("interrupted", { writes: 0 });
      output.close({ interrupted: true });
      reporter.info("interrupted while planning; nothing was written");
      return ExitCode.interrupted;
    }
    if (!store.versioned && planned.writes > 0) reporter.info(`${provider} keeps no versions: a rollback of this run restores from its encrypted backup`);
    // Counted during the first pass only; the second pass skips the same cells again.
    for (const w of filter.unmatched()) reporter.warn(w);
    if (templates > 0) reporter.info(`${templates} value(s) hold a \${secret:…} or \${env:…} reference; not migrated`);
    if (references > 0) reporter.warn(`--db: ${references} cell(s) already hold a secret: reference (scrubbed earlier); not migrated again`);
    if (options.dryRun || planned.blocked || (planned.writes === 0 && planned.scrubCells === 0)) {
      // A live run that stops here shows its plan. Without --json the first pass's sink already holds
      // every row the table and summary show; only a JSON document needs the rows read once more.
      const shown = planSink === output || !options.json ? planSink : output;
      if (shown !== planSink) await survey(stream(), output, reporter, columns, { quiet: true });
      const step = await columns.withoutRun(planned.scrubCells, planned.blocked, !options.dryRun);
      if (files && options.dryRun && !planned.blocked) reporter.info(`dry run: would scrub ${planned.scrubCells} migrated value(s) (${scrub.files})`);
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
    let refused: number | undefined;
    const picking = pickable(deps, options, planned.writes);
    if (picking === "yes") {
      const rows = planSink.count === planSink.head.length ? planSink.head : await collectPlan(stream(), reporter, columns);
      const unticked = await untickedNames(deps, options, rows);
      if (unticked === undefined) refused = ExitCode.interrupted;
      else if (unticked.length > 0) {
        filter.leaveOut(unticked);
        // Planned again without them, so the table, the question and the apply pass all agree.
        planSink = new ItemSink(undefined, header, ACTIONS);
        planned = await survey(stream(), planSink, reporter, columns, { quiet: true });
        if (planned.writes === 0) refused = ExitCode.failed;
      }
    }

    // 3. Consent, then batch by batch: the backup of what it overwrites, then its writes.
    if (!options.json && refused === undefined) renderItems(reporter, planSink.head, planSink.count);
    if (picking === "too many") reporter.info(tooManyToPick(planned.writes));
    // The counts per action, since the table above stops at 200 rows (the full plan is one answer away).
    const scrubbing = files ? `, then scrub ${planned.scrubCells} value(s) (${scrub.files})` : columns.describe(planned.scrubCells);
    const question = `Apply ${planned.writes} change(s) to ${provider} (${summaryLine(planSink.summary)})${scrubbing}?`;
    const full = { cut: deps.interactive && planSink.count > planSink.head.length, text: () => fullPlanText(stream(), reporter, columns) };
    refused ??= await confirmPlan(deps, options, question, full);
    if (refused !== undefined) {
      reporter.info("cancelled; nothing was written");
      output.close({ cancelled: true });
      await live.end("cancelled", { writes: 0 });
      return refused;
    }
    const backup = await BackupWriter.create(stateDir, runId, needKey(key));
    const copyPrevious = Boolean(options.withPrevious) && store.versioned;
    if (options.withPrevious && !copyPrevious) reporter.warn(`--with-previous: ${provider} keeps no versions; only current values are copied`);
    const applied = await applyBatches(stream(), {
      store,
      writer: live,
      backup,
      concurrency: options.concurrency ?? store.defaultConcurrency,
      reporter,
      columns,
      total: planned.writes,
      sink: output,
      withPrevious: copyPrevious,
      now: () => deps.clock.now().getTime(),
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
    // 5. `.env` lines, likewise only after every write succeeded.
    const filed = files && why === undefined && !live.interrupted ? await files.afterRun({ writer: live, backup }) : undefined;
    if (files && !filed)
      reporter.warn(`${why ?? "the run was interrupted"}: no .env line was scrubbed; fix the cause, then run migrate again with --scrub ${scrub.files}`);
    if (filed) step.json.fileScrub = { mode: scrub.files, lines: filed.scrubbed, failed: filed.failed };
    const status = await live.end(why !== undefined || step.failed || filed?.failed ? "failed" : "ok", { writes: planned.writes, failed });
    const done = runDone(planned.writes - failed, started, deps.clock.now().getTime(), runId, `secrets rollback ${provider} --run ${runId}`);
    const code = await finish(
      reporter,
      { ...options, dryRun: false },
      output,
      { provider, store: store.stats, note: undefined, quietTable: true, extra: { ...step.json, ...done }, started },
      deps,
    );
    if (status !== "failed" && !options.json) reporter.out(doneLine("applied", "change", `to ${provider}`, done));
    // After an interrupt the writer has said how to go on.
    if (status === "failed") reporter.info(`to undo this run: secrets rollback ${provider} --run ${runId}`);
    return live.exitCode(step.failed || filed?.failed ? ExitCode.failed : code);
  } catch (error) {
    // Part of the JSON document may be on stdout already: end it with the error instead of starting a second one.
    for (const sink of sinks) sink.fail(error);
    throw error;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

/** No file and no --db named: at a terminal, the user picks among the files found here. */
async function withAskedSource(deps: Deps, options: MigrateOptions): Promise<MigrateOptions> {
  if (options.from?.length || options.db !== undefined) return options;
  const picked = await askSource(deps, options);
  return picked === undefined ? options : { ...options, from: [picked], providerOptions: { ...options.providerOptions, sourceFile: picked } };
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
