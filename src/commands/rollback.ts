import { Writer } from "../core/apply.js";
import { ensurePrivateDir } from "../core/atomic-file.js";
import { type Backup, BackupFrames, BackupPriors, readBackup } from "../core/backup.js";
import { type CommonOptions, confirmLive, lockState, needKey, newRunId, reporterFor, requireConsentPossible } from "../core/command-options.js";
import type { Deps } from "../core/deps.js";
import { ExitCode, isCliError, usageError } from "../core/errors.js";
import { leanHeap, settleHeap } from "../core/heap-governor.js";
import { eachJournalEntry, holdsField, RunFold } from "../core/journal.js";
import { openProvider } from "../core/open-provider.js";
import { planRollback, type RevertPlanItem } from "../core/rollback-plan.js";
import { RunLines } from "../core/rollback-slices.js";
import { writeDigester } from "../core/write-digest.js";
import type { ProviderName } from "../providers/index.js";
import type { SecretStore } from "../providers/types.js";
import { type CellsReport, openScrubbedTable, restoreScrubbedCells, scrubbedCellsOf } from "../sources/column-restore.js";
import { type FilesReport, restoreScrubbedFiles, scrubbedFilesOf } from "../sources/file-restore.js";
import { type CiOptions, publishCi } from "../ui/ci-output.js";
import { doneLine, type RunDone, runDone } from "../ui/done-line.js";
import { ItemSink } from "../ui/item-sink.js";
import { plannedLine, rateLine } from "../ui/rate.js";
import { renderItems } from "../ui/render-plan.js";

export interface RollbackOptions extends CommonOptions, CiOptions {
  readonly run?: string;
  readonly last?: boolean;
}

const UNDOABLE = new Set(["migrate", "rotate"]);
const ACTIONS = ["delete", "restore", "unchanged", "changed-since", "skip", "failed"];
const REVERT_SLICE = 1000;

export async function rollback(provider: ProviderName, options: RollbackOptions, deps: Deps): Promise<number> {
  requireConsentPossible(deps, options);
  const reporter = reporterFor(deps, options);
  const { store, key, stateDir, openJournal } = await openProvider(deps, options, provider, reporter);
  const cleanups: (() => Promise<void>)[] = [() => store.close()];
  const sinks: ItemSink[] = [];
  try {
    if (!options.dryRun) {
      await ensurePrivateDir(stateDir);
      cleanups.push(await lockState(deps, stateDir, "rollback", reporter));
    }
    leanHeap();
    const target = await pickRun(stateDir, provider, options);
    const dataKey = needKey(key);
    // Only the target run's lines are counted and later folded: the journal of every earlier run is streamed past.
    const lines = await RunLines.count(stateDir, target);
    const backup = await backupOf(stateDir, target, dataKey, lines.names > 0);
    const digest = writeDigester(dataKey);
    /** Planned a slice at a time, as the store is at that moment: a million-write run is never held whole. */
    const plan = async (visit: (items: RevertPlanItem[], order: readonly string[]) => Promise<void>) => {
      const priors = new BackupPriors(() => BackupFrames.open(stateDir, target, dataKey));
      try {
        await lines.eachSlice(stateDir, REVERT_SLICE, async (writes) => {
          await settleHeap();
          const names = [...writes.written.keys()];
          await visit(planRollback(writes, await priors.of(names), await versionsOf(store, names), target, digest), names);
        });
      } finally {
        await priors.close();
      }
    };
    if (!options.json)
      reporter.info(`rolling back run ${target} on ${provider}${store.versioned ? "" : " (from the encrypted backup: this provider keeps no versions)"}`);
    const scrubbedCells = scrubbedCellsOf(backup);
    const scrubbed = scrubbedCells.length;
    let cells: CellsReport | undefined = scrubbed > 0 ? { restore: scrubbed } : undefined;
    const scrubbedFiles = scrubbedFilesOf(backup);
    let files: FilesReport | undefined = scrubbedFiles.length > 0 ? { restore: scrubbedFiles.length } : undefined;

    if (lines.names === 0 && scrubbed === 0 && !files && !options.json)
      reporter.info(`run ${target} wrote nothing (it stopped before its first write); to undo an earlier run, name it with --run (\`secrets journal list\`)`);
    const header = (runId: string | null) => ({ command: "rollback", runId, target, provider, dryRun: Boolean(options.dryRun) });
    const planned = new ItemSink(options.json && options.dryRun ? deps.stdout : undefined, header(null), ACTIONS);
    sinks.push(planned);
    await plan(async (items) => {
      planned.add(items);
      reporter.progress(plannedLine(planned.count, lines.names));
    });
    const changes = planned.count - (planned.summary.unchanged ?? 0);
    if (options.dryRun || (changes === 0 && scrubbed === 0 && !files)) {
      let shown = planned;
      if (options.json && !options.dryRun) {
        shown = new ItemSink(deps.stdout, header(null), ACTIONS);
        sinks.push(shown);
        await plan(async (items) => shown.add(items));
      }
      return await report(deps, reporter, options, provider, target, shown, undefined, cells, files);
    }
    if (!options.json) renderItems(reporter, planned.head, planned.count);
    const also = `${scrubbed > 0 ? ` and put back ${scrubbed} scrubbed cell(s)` : ""}${files ? ` and ${files.restore} scrubbed file(s)` : ""}`;
    const refused = await confirmLive(deps, options, `Undo ${changes} change(s)${also} of run ${target}?`);
    if (refused !== undefined) {
      reporter.info("cancelled; nothing was changed");
      return refused;
    }
    const table = scrubbed > 0 ? await openScrubbedTable(backup) : undefined;
    const runId = newRunId(deps);
    const resume = `run \`secrets rollback ${provider} --run ${target}\` again to finish undoing run ${target}`;
    const writer = await Writer.start(
      { journal: await openJournal(), runId, signals: deps.signals, key: dataKey, warn: (m) => reporter.warn(m), resume },
      { command: "rollback", provider, data: { target } },
    );
    cleanups.push(() => writer.close());
    // Cells first: undoing the vault first would leave references that point at nothing.
    if (table) cells = await restoreScrubbedCells(table, scrubbedCells, { writer, reporter });
    if (files) files = await restoreScrubbedFiles(scrubbedFiles, { writer, reporter });
    const output = new ItemSink(options.json ? deps.stdout : undefined, header(runId), ACTIONS);
    sinks.push(output);
    const total = (planned.summary.delete ?? 0) + (planned.summary.restore ?? 0);
    const started = deps.clock.now().getTime();
    let reverted = 0;
    let failed = 0;
    let undone = 0;
    // Planned again as the store is now, then, a slice at a time as migrate writes: one journal append and one store patch per slice.
    await plan(async (items, written) => {
      // In the order the run wrote: a store that reads by pages then reads each page once.
      const order = new Map(written.map((name, i) => [name, i]));
      const work = items.filter((i) => i.action !== "unchanged" && i.op).sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
      const results = await writer.apply(
        work.map((i) => ({ name: i.name, action: "revert", op: i.op as NonNullable<RevertPlanItem["op"]> })),
        async (s) => ({ outcome: await store.revert(s.op) }),
        {
          concurrency: options.concurrency ?? store.defaultConcurrency,
          ...(store.batched ? { batch: store } : {}),
          onProgress: (n) => reporter.progress(rateLine("reverting", reverted + n, total, deps.clock.now().getTime() - started)),
        },
      );
      reverted += work.length;
      const byName = new Map(results.map((r) => [r.name, r]));
      output.add(items.map((i) => withResult(i, byName.get(i.name))));
      for (const r of results) {
        if (r.status !== "done") failed++;
        else if (r.outcome !== "changed-since") undone++;
      }
    });
    await writer.end(failed > 0 || cells?.changedSince || files?.changedSince ? "failed" : "ok", { target, failed });
    const done = runDone(undone, started, deps.clock.now().getTime(), runId, null);
    return writer.exitCode(await report(deps, reporter, options, provider, target, output, done, cells, files));
  } catch (error) {
    // Part of the JSON document may be on stdout already: end it with the error instead of starting a second one.
    for (const sink of sinks) sink.fail(error);
    throw error;
  } finally {
    for (const c of cleanups.reverse()) await c();
  }
}

function withResult(item: RevertPlanItem, result: { status: string; outcome?: string; error?: string } | undefined): RevertPlanItem {
  if (!result) return item;
  if (result.status !== "done") return { ...item, action: "failed", error: result.error ?? "not started (interrupted)" };
  return result.outcome === "changed-since" ? { ...item, action: "changed-since", reason: "changed after the run; left alone" } : item;
}

/** Only each name's version is kept, read a slice at a time: not a whole run's secrets at once. */
async function versionsOf(store: SecretStore, names: readonly string[]): Promise<Map<string, { version: string }>> {
  const versions = new Map<string, { version: string }>();
  for (let from = 0; from < names.length; from += REVERT_SLICE) {
    for (const [name, { version }] of await store.readMany(names.slice(from, from + REVERT_SLICE))) versions.set(name, { version });
  }
  return versions;
}

async function pickRun(stateDir: string, provider: ProviderName, options: RollbackOptions): Promise<string> {
  if (!options.run && !options.last) throw usageError("ROLLBACK_TARGET", "say which run to roll back", "use --last or --run <id>");
  const runs = new RunFold();
  const wrote = new Set<string>();
  const done = holdsField("type", "done");
  // `done` lines say nothing about which runs wrote or ended (their intents do): half the journal is not parsed.
  await eachJournalEntry(
    stateDir,
    (e) => {
      // Only a run's first write is folded: a fold of every intent keeps each step open (their `done`s
      // are not read), ~100 MB for a million-write run.
      if (e.type !== "intent" && e.type !== "note") runs.add(e);
      else if (!wrote.has(e.runId)) {
        wrote.add(e.runId);
        runs.add(e);
      }
    },
    (line) => !done(line),
  );
  if (options.run) {
    if (!runs.summaries().some((r) => r.runId === options.run))
      throw usageError("RUN_NOT_FOUND", `no run ${options.run} in the journal`, "list runs with `secrets journal list`");
    return options.run;
  }
  // The most recent run that may have written, also one killed while planning (skipping it would
  // silently undo the run before it); one that ended having written nothing is passed over.
  const undoable = runs.summaries().filter((r) => r.provider === provider && UNDOABLE.has(r.command ?? "") && (wrote.has(r.runId) || r.endedAt === undefined));
  const last = undoable[undoable.length - 1];
  if (!last) throw usageError("RUN_NOT_FOUND", `no run on ${provider} to roll back`, "list runs with `secrets journal list`");
  return last.runId;
}

async function report(
  deps: Deps,
  reporter: ReturnType<typeof reporterFor>,
  options: RollbackOptions,
  provider: ProviderName,
  target: string,
  items: ItemSink,
  done?: RunDone,
  cells?: CellsReport,
  files?: FilesReport,
): Promise<number> {
  const { summary } = items;
  const bad = (summary.failed ?? 0) + (summary["changed-since"] ?? 0) + (cells?.changedSince ?? 0) + (files?.changedSince ?? 0);
  await publishCi(
    deps,
    options,
    `secrets rollback ${provider} (run ${target})${options.dryRun ? " (dry run)" : ""}`,
    summary,
    items.notable(),
    deps.clock.now().getTime(),
  );
  if (options.json) {
    items.close({
      ...(done ? { applied: done.applied, seconds: done.seconds, undo: done.undo } : {}),
      summary,
      ...(cells ? { cells } : {}),
      ...(files ? { files } : {}),
    });
  } else {
    renderItems(reporter, items.head, items.count);
    const parts = Object.entries(summary)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${n} ${k}`);
    if (files) parts.push(files.restored === undefined ? `${files.restore} scrubbed file(s) to put back` : `${files.restored} file(s) put back`);
    if (cells) parts.push(cells.restored === undefined ? `${cells.restore} scrubbed cell(s) to put back` : `${cells.restored} cell(s) put back`);
    reporter.out(`${options.dryRun ? "dry run: " : ""}${parts.join(", ") || "nothing to undo"}`);
    if (done && bad === 0) reporter.out(doneLine("rolled back", "change", `on ${provider}`, done));
  }
  return bad > 0 ? ExitCode.failed : ExitCode.ok;
}

/** A run that journalled no write and left no backup has nothing to undo. */
async function backupOf(stateDir: string, runId: string, key: Buffer, wrote: boolean): Promise<Backup> {
  try {
    return await readBackup(stateDir, runId, key, { priors: false });
  } catch (e) {
    if (wrote || !isCliError(e) || e.code !== "BACKUP_NOT_FOUND") throw e;
    return { priors: new Map(), cells: [], meta: {}, frames: 0 };
  }
}
