import { type StepResult, Writer } from "../core/apply.js";
import { ensurePrivateDir } from "../core/atomic-file.js";
import { type Backup, readBackup } from "../core/backup.js";
import { type CommonOptions, confirmLive, lockState, needKey, newRunId, reporterFor, requireConsentPossible } from "../core/command-options.js";
import type { Deps } from "../core/deps.js";
import { ExitCode, isCliError, usageError } from "../core/errors.js";
import { settleHeap } from "../core/heap-governor.js";
import { eachJournalEntry, holdsField, RunFold } from "../core/journal.js";
import { openProvider } from "../core/open-provider.js";
import { planRollback, type RevertPlanItem, RunWrites } from "../core/rollback-plan.js";
import { writeDigester } from "../core/write-digest.js";
import type { ProviderName } from "../providers/index.js";
import type { SecretStore } from "../providers/types.js";
import { type CellsReport, openScrubbedTable, restoreScrubbedCells, scrubbedCellsOf } from "../sources/column-restore.js";
import { type FilesReport, restoreScrubbedFiles, scrubbedFilesOf } from "../sources/file-restore.js";
import { type CiOptions, publishCi } from "../ui/ci-output.js";
import { doneLine, type RunDone, runDone } from "../ui/done-line.js";
import { rateLine } from "../ui/rate.js";
import { jsonItem, renderItems } from "../ui/render-plan.js";

export interface RollbackOptions extends CommonOptions, CiOptions {
  readonly run?: string;
  readonly last?: boolean;
}

const UNDOABLE = new Set(["migrate", "rotate"]);
const REVERT_SLICE = 1000;

export async function rollback(provider: ProviderName, options: RollbackOptions, deps: Deps): Promise<number> {
  requireConsentPossible(deps, options);
  const reporter = reporterFor(deps, options);
  const { store, key, stateDir, openJournal } = await openProvider(deps, options, provider, reporter);
  const cleanups: (() => Promise<void>)[] = [() => store.close()];
  try {
    if (!options.dryRun) {
      await ensurePrivateDir(stateDir);
      cleanups.push(await lockState(deps, stateDir, "rollback", reporter));
    }
    const target = await pickRun(stateDir, provider, options);
    // Only what the target run wrote is kept: the journal of every earlier run is streamed past.
    const writes = new RunWrites();
    await eachJournalEntry(
      stateDir,
      (e) => {
        if (e.runId === target && e.type !== "store") writes.add(e);
      },
      holdsField("runId", target),
    );
    const dataKey = needKey(key);
    const names = [...writes.written.keys()];
    const backup = await backupOf(stateDir, target, dataKey, names.length > 0);
    const current = await versionsOf(store, names);
    const plan = planRollback(writes, backup.priors, current, target, writeDigester(dataKey));
    if (!options.json)
      reporter.info(`rolling back run ${target} on ${provider}${store.versioned ? "" : " (from the encrypted backup: this provider keeps no versions)"}`);
    const scrubbedCells = scrubbedCellsOf(backup);
    const scrubbed = scrubbedCells.length;
    let cells: CellsReport | undefined = scrubbed > 0 ? { restore: scrubbed } : undefined;
    const scrubbedFiles = scrubbedFilesOf(backup);
    let files: FilesReport | undefined = scrubbedFiles.length > 0 ? { restore: scrubbedFiles.length } : undefined;

    if (names.length === 0 && scrubbed === 0 && !files && !options.json)
      reporter.info(`run ${target} wrote nothing (it stopped before its first write); to undo an earlier run, name it with --run (\`secrets journal list\`)`);
    if (options.dryRun || (plan.every((i) => i.action === "unchanged") && scrubbed === 0 && !files))
      return await report(deps, reporter, options, provider, target, plan, undefined, undefined, cells, files);
    if (!options.json) renderItems(reporter, plan);
    const also = `${scrubbed > 0 ? ` and put back ${scrubbed} scrubbed cell(s)` : ""}${files ? ` and ${files.restore} scrubbed file(s)` : ""}`;
    const refused = await confirmLive(deps, options, `Undo ${plan.filter((i) => i.action !== "unchanged").length} change(s)${also} of run ${target}?`);
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
    // In the order the run wrote: a store that reads by pages then reads each page once.
    const order = new Map(names.map((name, i) => [name, i]));
    const work = plan.filter((i) => i.action !== "unchanged" && i.op).sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
    const started = deps.clock.now().getTime();
    const results: StepResult[] = [];
    // A slice at a time, as migrate writes: one journal append and one store patch per slice, not one of the whole run.
    for (let from = 0; from < work.length; from += REVERT_SLICE) {
      await settleHeap();
      const slice = work.slice(from, from + REVERT_SLICE);
      results.push(
        ...(await writer.apply(
          slice.map((i) => ({ name: i.name, action: "revert", op: i.op as NonNullable<RevertPlanItem["op"]> })),
          async (s) => ({ outcome: await store.revert(s.op) }),
          {
            concurrency: options.concurrency ?? store.defaultConcurrency,
            ...(store.batched ? { batch: store } : {}),
            onProgress: (done) => reporter.progress(rateLine("reverting", from + done, work.length, deps.clock.now().getTime() - started)),
          },
        )),
      );
    }
    const failed = results.filter((r) => r.status !== "done").length;
    await writer.end(failed > 0 || cells?.changedSince || files?.changedSince ? "failed" : "ok", { target, failed });
    const undone = results.filter((r) => r.status === "done" && r.outcome !== "changed-since").length;
    const done = runDone(undone, started, deps.clock.now().getTime(), runId, null);
    return writer.exitCode(await report(deps, reporter, options, provider, target, plan, new Map(results.map((r) => [r.name, r])), done, cells, files));
  } finally {
    for (const c of cleanups.reverse()) await c();
  }
}

/** Only each name's version is kept, read a slice at a time: not a whole run's secrets at once. */
async function versionsOf(store: SecretStore, names: readonly string[]): Promise<Map<string, { version: string }>> {
  const versions = new Map<string, { version: string }>();
  for (let from = 0; from < names.length; from += REVERT_SLICE) {
    await settleHeap();
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
      runs.add(e);
      if (e.type === "intent" || e.type === "note") wrote.add(e.runId);
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
  plan: RevertPlanItem[],
  results: Map<string, { status: string; outcome?: string; error?: string }> | undefined,
  done?: RunDone,
  cells?: CellsReport,
  files?: FilesReport,
): Promise<number> {
  const items = plan.map((i) => {
    const r = results?.get(i.name);
    if (!r) return i;
    if (r.status !== "done") return { ...i, action: "failed" as const, error: r.error ?? "not started (interrupted)" };
    return r.outcome === "changed-since" ? { ...i, action: "changed-since" as const, reason: "changed after the run; left alone" } : i;
  });
  const summary: Record<string, number> = { delete: 0, restore: 0, unchanged: 0, "changed-since": 0, skip: 0, failed: 0 };
  for (const i of items) summary[i.action] = (summary[i.action] ?? 0) + 1;
  const bad = (summary.failed ?? 0) + (summary["changed-since"] ?? 0) + (cells?.changedSince ?? 0) + (files?.changedSince ?? 0);
  await publishCi(
    deps,
    options,
    `secrets rollback ${provider} (run ${target})${options.dryRun ? " (dry run)" : ""}`,
    summary,
    items,
    deps.clock.now().getTime(),
  );
  if (options.json) {
    reporter.json({
      command: "rollback",
      runId: done?.runId ?? null,
      ...(done ? { applied: done.applied, seconds: done.seconds, undo: done.undo } : {}),
      target,
      provider,
      dryRun: Boolean(options.dryRun),
      summary,
      items: items.map((i) => jsonItem(i)),
      ...(cells ? { cells } : {}),
      ...(files ? { files } : {}),
    });
  } else {
    renderItems(reporter, items);
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
    return await readBackup(stateDir, runId, key);
  } catch (e) {
    if (wrote || !isCliError(e) || e.code !== "BACKUP_NOT_FOUND") throw e;
    return { priors: new Map(), cells: [], meta: {}, frames: 0 };
  }
}
