import { type Step, Writer } from "../core/apply.js";
import { ensurePrivateDir } from "../core/atomic-file.js";
import { listBackups, removeBackup } from "../core/backup.js";
import { type CommonOptions, confirmLive, lockState, newRunId, reporterFor, requireConsentPossible, stateDirOf } from "../core/command-options.js";
import type { Deps } from "../core/deps.js";
import { parseDuration } from "../core/duration.js";
import { ExitCode } from "../core/errors.js";
import { openProvider } from "../core/open-provider.js";
import { chooseProvider, type ProviderFlag } from "../providers/choose.js";
import type { ProviderName } from "../providers/index.js";
import { type CleanupItem, planCleanup } from "../rotation/cleanup-plan.js";
import { type Admin, connectAdmin, expireRole, whereOfUrl } from "../rotation/strategies/postgres-sql.js";
import { rotationOf } from "../rotation/types.js";
import { doneLine, type RunDone, runDone } from "../ui/done-line.js";
import { table } from "../ui/table.js";

export interface CleanupOptions extends CommonOptions, ProviderFlag {
  readonly backupsOlderThan?: string;
  readonly db?: string;
}

type Result = CleanupItem & { readonly result?: "done" | "already" | "failed"; readonly error?: string };

/** Drops previous versions whose grace has passed (expiring alternating roles first) and old backups. */
export async function cleanup(named: string | undefined, options: CleanupOptions, deps: Deps): Promise<number> {
  requireConsentPossible(deps, options);
  const retentionMs = parseDuration(options.backupsOlderThan ?? "30d", "--backups-older-than");
  const db = options.db === undefined ? undefined : whereOfUrl(options.db);
  const reporter = reporterFor(deps, options);
  const flag = named === undefined ? options : { provider: named, providerSource: "argument" };
  const { provider, from } = await chooseProvider(undefined, flag, deps, stateDirOf(deps, options));
  if (named === undefined) reporter.info(`provider: ${provider} (from ${from})`);
  const { store, stateDir, key, openJournal } = await openProvider(deps, options, provider, reporter);
  const cleanups: (() => Promise<void>)[] = [() => store.close()];
  try {
    if (!options.dryRun) {
      await ensurePrivateDir(stateDir);
      cleanups.push(await lockState(deps, stateDir, "cleanup", reporter));
    }
    const rotation = rotationOf(store);
    if (!rotation) reporter.info(`the ${provider} provider keeps no rotation versions; only backups are cleaned`);
    const grace = rotation ? await rotation.listGrace() : [];
    const pending = (await rotation?.listPending?.()) ?? [];
    const plan = planCleanup(grace, await listBackups(stateDir), { now: deps.clock.now(), retentionMs, ...(db ? { db } : {}) }, pending);
    const work = plan.filter((i) => i.action === "drop" || i.action === "delete");
    if (options.dryRun || work.length === 0) return report(reporter, options, provider, plan, undefined);
    if (!options.json) reporter.out(render(plan));
    const refused = await confirmLive(deps, options, `Remove ${work.length} item(s)?`);
    if (refused !== undefined) {
      reporter.info("cancelled; nothing was removed");
      return refused;
    }

    const runId = newRunId(deps);
    const writer = await Writer.start(
      {
        journal: await openJournal(),
        runId,
        signals: deps.signals,
        key,
        warn: (m) => reporter.warn(m),
        resume: `run \`secrets cleanup ${provider}\` again to finish`,
      },
      { command: "cleanup", provider, data: { items: work.length } },
    );
    cleanups.push(() => writer.close());
    let admin: Admin | undefined;
    cleanups.push(async () => void (await admin?.client.end().catch(() => {})));
    const remove = async ({ item }: CleanupStep): Promise<{ outcome: string }> => {
      if (item.kind === "backup") return { outcome: (await removeBackup(stateDir, item.runId)) ? "removed" : "already" };
      if (item.kind === "pending") return { outcome: (await rotation?.discardPending(item.name, item.runId)) ? "removed" : "already" };
      // The role's password stops working before the version that holds it goes.
      if (item.expireRole !== undefined && options.db !== undefined) {
        admin ??= await connectAdmin(options.db);
        await expireRole(admin, item.expireRole, deps.clock.now());
      }
      const changed = rotation !== undefined && (await rotation.dropPrevious(item.name, item.version));
      return { outcome: changed ? "removed" : "already" };
    };
    const started = deps.clock.now().getTime();
    const outcomes = await writer.apply(work.map(stepOf), remove, { concurrency: 1 });
    const results: Result[] = work.map((item, i) => {
      const r = outcomes[i];
      if (r?.status === "done") return { ...item, result: r.outcome === "removed" ? "done" : "already" };
      return { ...item, result: "failed", error: r?.error ?? "not started (interrupted)" };
    });
    const failed = results.filter((r) => r.result === "failed").length;
    await writer.end(failed > 0 ? "failed" : "ok", { failed });
    const byKey = new Map(results.map((r) => [keyOf(r), r]));
    return writer.exitCode(
      report(
        reporter,
        options,
        provider,
        plan.map((i) => byKey.get(keyOf(i)) ?? i),
        // Backups and old versions once removed are gone: nothing undoes a cleanup.
        runDone(results.length - failed, started, deps.clock.now().getTime(), runId, null),
      ),
    );
  } finally {
    for (const c of cleanups.reverse()) await c();
  }
}

type CleanupStep = Step & { readonly item: CleanupItem };

/** One journalled step per item; a role to expire goes in the same step, before the version is dropped. */
const stepOf = (item: CleanupItem): CleanupStep => {
  if (item.kind === "backup") return { name: item.runId, action: "remove-backup", item };
  if (item.kind === "pending") return { name: item.name, action: "discard-pending", data: { version: item.version }, item };
  return { name: item.name, action: "drop-previous", data: { version: item.version, ...(item.expireRole ? { role: item.expireRole } : {}) }, item };
};

const keyOf = (i: CleanupItem) => (i.kind === "backup" ? `backup:${i.runId}` : `${i.kind}:${i.name}`);

function render(items: readonly Result[]): string {
  const rows = items.map((i) => [
    i.kind === "backup" ? `backup ${i.runId}` : i.kind === "pending" ? `${i.name} pending v${i.version}` : `${i.name} v${i.version}`,
    i.result === "failed" ? "failed" : i.result === "already" ? "already gone" : i.action,
    i.error ??
      i.reason ??
      (i.kind === "previous"
        ? `${i.expireRole ? `expire role ${i.expireRole}; ` : ""}grace ended ${i.graceUntil}`
        : i.kind === "backup"
          ? `from ${i.createdAt}`
          : ""),
  ]);
  return table(["ITEM", "ACTION", "NOTE"], rows);
}

function report(
  reporter: ReturnType<typeof reporterFor>,
  options: CleanupOptions,
  provider: ProviderName,
  items: readonly Result[],
  done: RunDone | undefined,
): number {
  const failed = items.filter((i) => i.result === "failed").length;
  const skipped = items.filter((i) => i.action === "skip").length;
  const due = items.filter((i) => i.action === "drop" || i.action === "delete").length;
  if (options.json)
    reporter.json({
      command: "cleanup",
      runId: done?.runId ?? null,
      ...(done ? { applied: done.applied, seconds: done.seconds, undo: done.undo } : {}),
      provider,
      dryRun: Boolean(options.dryRun),
      items,
      summary: { due, skipped, failed },
    });
  else {
    // After a live run the table was shown before confirming; only failures are new.
    const shown = done ? items.filter((i) => i.result === "failed") : options.verbose ? items : items.filter((i) => i.action !== "keep");
    if (shown.length > 0) reporter.out(render(shown));
    reporter.out(
      `${options.dryRun ? "dry run: would remove" : "removed"} ${due - failed} item(s)${skipped ? `, ${skipped} skipped` : ""}${failed ? `, ${failed} failed` : ""}; ${items.filter((i) => i.action === "keep").length} kept`,
    );
    if (done && failed === 0) reporter.out(doneLine("cleaned up", "item", `on ${provider}`, done));
  }
  return failed > 0 || skipped > 0 ? ExitCode.failed : ExitCode.ok;
}
