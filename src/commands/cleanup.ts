import { ensurePrivateDir } from "../core/atomic-file.js";
import { listBackups, removeBackup } from "../core/backup.js";
import type { Deps } from "../core/deps.js";
import { describeError } from "../core/describe-error.js";
import { parseDuration } from "../core/duration.js";
import { ExitCode } from "../core/errors.js";
import { acquireLock } from "../core/lock.js";
import type { ProviderName } from "../providers/types.js";
import { type CleanupItem, planCleanup } from "../rotation/cleanup-plan.js";
import { type Admin, connectAdmin, expireRole, whereOfUrl } from "../rotation/strategies/postgres-sql.js";
import { rotationOf } from "../rotation/types.js";
import { table } from "../ui/table.js";
import { type CommonOptions, confirmLive, newRunId, openProvider, reporterFor, requireConsentPossible } from "./common.js";

export interface CleanupOptions extends CommonOptions {
  readonly backupsOlderThan?: string;
  readonly db?: string;
}

type Result = CleanupItem & { readonly result?: "done" | "already" | "failed"; readonly error?: string };

/** Drops previous versions whose grace has passed (expiring alternating roles first) and old backups. */
export async function cleanup(provider: ProviderName, options: CleanupOptions, deps: Deps): Promise<number> {
  requireConsentPossible(deps, options);
  const retentionMs = parseDuration(options.backupsOlderThan ?? "30d", "--backups-older-than");
  const db = options.db === undefined ? undefined : whereOfUrl(options.db);
  const reporter = reporterFor(deps, options);
  const { store, stateDir, openJournal } = await openProvider(deps, options, provider, reporter);
  const cleanups: (() => Promise<void>)[] = [() => store.close()];
  try {
    if (!options.dryRun) {
      await ensurePrivateDir(stateDir);
      cleanups.push(await acquireLock(`${stateDir}/lock`));
    }
    const rotation = rotationOf(store);
    if (!rotation) reporter.info(`the ${provider} provider keeps no rotation versions; only backups are cleaned`);
    const grace = rotation ? await rotation.listGrace() : [];
    const plan = planCleanup(grace, await listBackups(stateDir), { now: deps.clock.now(), retentionMs, ...(db ? { db } : {}) });
    const work = plan.filter((i) => i.action === "drop" || i.action === "delete");
    if (options.dryRun || work.length === 0) return report(reporter, options, provider, plan, undefined);
    if (!options.json) reporter.out(render(plan));
    if (!(await confirmLive(deps, options, `Remove ${work.length} item(s)?`))) {
      reporter.info("cancelled; nothing was removed");
      return ExitCode.failed;
    }

    const runId = newRunId(deps);
    const journal = await openJournal();
    await journal.append([{ runId, type: "run-start", command: "cleanup", provider, data: { items: work.length } }]);
    let admin: Admin | undefined;
    cleanups.push(async () => void (await admin?.client.end().catch(() => {})));
    const step = async (name: string, action: string, fn: () => Promise<boolean>, data?: Record<string, string>): Promise<boolean> => {
      await journal.append([{ runId, type: "intent", name, action, ...(data ? { data } : {}) }]);
      try {
        const changed = await fn();
        await journal.append([{ runId, type: "done", name, action, status: changed ? "removed" : "already" }]);
        return changed;
      } catch (e) {
        await journal.append([{ runId, type: "failed", name, action, error: describeError(e) }]);
        throw e;
      }
    };
    const results: Result[] = [];
    for (const item of work) {
      try {
        let changed: boolean;
        if (item.kind === "backup") changed = await step(item.runId, "remove-backup", () => removeBackup(stateDir, item.runId));
        else {
          const role = item.expireRole;
          if (role !== undefined && options.db !== undefined) {
            admin ??= await connectAdmin(options.db);
            const open = admin;
            await step(item.name, "expire-role", async () => (await expireRole(open, role, deps.clock.now()), true), { role });
          }
          changed =
            rotation !== undefined && (await step(item.name, "drop-previous", () => rotation.dropPrevious(item.name, item.version), { version: item.version }));
        }
        results.push({ ...item, result: changed ? "done" : "already" });
      } catch (e) {
        results.push({ ...item, result: "failed", error: describeError(e) });
      }
    }
    const failed = results.filter((r) => r.result === "failed").length;
    await journal.append([{ runId, type: "run-end", status: failed > 0 ? "failed" : "ok", data: { failed } }]);
    const byKey = new Map(results.map((r) => [keyOf(r), r]));
    return report(
      reporter,
      options,
      provider,
      plan.map((i) => byKey.get(keyOf(i)) ?? i),
      runId,
    );
  } finally {
    for (const c of cleanups.reverse()) await c();
  }
}

const keyOf = (i: CleanupItem) => (i.kind === "backup" ? `backup:${i.runId}` : `previous:${i.name}`);

function render(items: readonly Result[]): string {
  const rows = items.map((i) => [
    i.kind === "backup" ? `backup ${i.runId}` : `${i.name} v${i.version}`,
    i.result === "failed" ? "failed" : i.result === "already" ? "already gone" : i.action,
    i.error ??
      i.reason ??
      (i.kind === "previous" ? `${i.expireRole ? `expire role ${i.expireRole}; ` : ""}grace ended ${i.graceUntil}` : `from ${i.createdAt}`),
  ]);
  return table(["ITEM", "ACTION", "NOTE"], rows);
}

function report(
  reporter: ReturnType<typeof reporterFor>,
  options: CleanupOptions,
  provider: ProviderName,
  items: readonly Result[],
  runId: string | undefined,
): number {
  const failed = items.filter((i) => i.result === "failed").length;
  const skipped = items.filter((i) => i.action === "skip").length;
  const due = items.filter((i) => i.action === "drop" || i.action === "delete").length;
  if (options.json)
    reporter.json({ command: "cleanup", runId: runId ?? null, provider, dryRun: Boolean(options.dryRun), items, summary: { due, skipped, failed } });
  else {
    // After a live run the table was shown before confirming; only failures are new.
    const shown = runId ? items.filter((i) => i.result === "failed") : options.verbose ? items : items.filter((i) => i.action !== "keep");
    if (shown.length > 0) reporter.out(render(shown));
    reporter.out(
      `${options.dryRun ? "dry run: would remove" : "removed"} ${due - failed} item(s)${skipped ? `, ${skipped} skipped` : ""}${failed ? `, ${failed} failed` : ""}; ${items.filter((i) => i.action === "keep").length} kept`,
    );
  }
  return failed > 0 || skipped > 0 ? ExitCode.failed : ExitCode.ok;
}
