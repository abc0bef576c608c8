import { applySteps } from "../core/apply.js";
import { ensurePrivateDir } from "../core/atomic-file.js";
import { readBackup } from "../core/backup.js";
import type { Deps } from "../core/deps.js";
import { ExitCode, usageError } from "../core/errors.js";
import { Journal, type JournalEntry, entriesOf, readJournal, runsOf } from "../core/journal.js";
import { acquireLock } from "../core/lock.js";
import { type RevertPlanItem, planRollback } from "../core/rollback-plan.js";
import type { ProviderName } from "../providers/types.js";
import { jsonItem, renderItems } from "../ui/render-plan.js";
import { type CommonOptions, confirmLive, needKey, newRunId, openProvider, reporterFor, requireConsentPossible } from "./common.js";

export interface RollbackOptions extends CommonOptions {
  readonly run?: string;
  readonly last?: boolean;
}

const UNDOABLE = new Set(["migrate", "rotate"]);

/** Puts every name a run touched back as it was before that run, checking the real state first. */
export async function rollback(provider: ProviderName, options: RollbackOptions, deps: Deps): Promise<number> {
  requireConsentPossible(deps, options);
  const reporter = reporterFor(deps, options);
  const { store, key, stateDir } = await openProvider(deps, options, provider, reporter);
  const cleanups: (() => Promise<void>)[] = [() => store.close()];
  try {
    if (!options.dryRun) {
      await ensurePrivateDir(stateDir);
      cleanups.push(await acquireLock(`${stateDir}/lock`));
    }
    const entries = await readJournal(stateDir);
    const target = pickRun(entries, provider, options);
    const steps = entriesOf(entries, target);
    const backup = await readBackup(stateDir, target, needKey(key));
    const names = [...new Set(steps.filter((e) => e.type === "intent" && e.name).map((e) => e.name as string))];
    const current = await store.readMany(names);
    const plan = planRollback(steps, backup.priors, current, target);
    if (!options.json) reporter.info(`rolling back run ${target} on ${provider}${store.versioned ? "" : " (from the encrypted backup: this provider keeps no versions)"}`);

    if (options.dryRun || plan.every((i) => i.action === "unchanged")) return report(reporter, options, provider, target, plan, undefined);
    if (!options.json) renderItems(reporter, plan);
    if (!(await confirmLive(deps, options, `Undo ${plan.filter((i) => i.action !== "unchanged").length} change(s) of run ${target}?`))) {
      reporter.info("cancelled; nothing was changed");
      return ExitCode.failed;
    }
    const runId = newRunId(deps);
    const journal = await Journal.open(stateDir, deps.clock);
    await journal.append([{ runId, type: "run-start", command: "rollback", provider, data: { target } }]);
    const work = plan.filter((i) => i.action !== "unchanged" && i.op);
    const results = await applySteps(work.map((i) => ({ name: i.name, action: "revert", op: i.op as NonNullable<RevertPlanItem["op"]> })), async (s) => ({ outcome: await store.revert(s.op) }), {
      store,
      journal,
      runId,
      concurrency: options.concurrency ?? store.defaultConcurrency,
      interrupted: () => false,
      onProgress: (done, total) => reporter.progress(`reverting ${done}/${total}…`),
    });
    const failed = results.filter((r) => r.status !== "done").length;
    await journal.append([{ runId, type: "run-end", status: failed > 0 ? "failed" : "ok", data: { target, failed } }]);
    return report(reporter, options, provider, target, plan, new Map(results.map((r) => [r.name, r])), runId);
  } finally {
    for (const c of cleanups.reverse()) await c();
  }
}

function pickRun(entries: readonly JournalEntry[], provider: ProviderName, options: RollbackOptions): string {
  if (options.run) {
    if (!entries.some((e) => e.runId === options.run)) throw usageError("RUN_NOT_FOUND", `no run ${options.run} in the journal`, "list runs with `secrets journal list`");
    return options.run;
  }
  if (!options.last) throw usageError("ROLLBACK_TARGET", "say which run to roll back", "use --last or --run <id>");
  const runs = runsOf(entries).filter((r) => r.provider === provider && UNDOABLE.has(r.command ?? "") && r.counts.intent > 0);
  const last = runs[runs.length - 1];
  if (!last) throw usageError("RUN_NOT_FOUND", `no run on ${provider} to roll back`, "list runs with `secrets journal list`");
  return last.runId;
}

function report(
  reporter: ReturnType<typeof reporterFor>,
  options: RollbackOptions,
  provider: ProviderName,
  target: string,
  plan: RevertPlanItem[],
  results: Map<string, { status: string; outcome?: string; error?: string }> | undefined,
  runId?: string,
): number {
  const items = plan.map((i) => {
    const r = results?.get(i.name);
    if (!r) return i;
    if (r.status !== "done") return { ...i, action: "failed" as const, error: r.error };
    return r.outcome === "changed-since" ? { ...i, action: "changed-since" as const, reason: "changed after the run; left alone" } : i;
  });
  const summary: Record<string, number> = { delete: 0, restore: 0, unchanged: 0, "changed-since": 0, skip: 0, failed: 0 };
  for (const i of items) summary[i.action] = (summary[i.action] ?? 0) + 1;
  const bad = (summary.failed ?? 0) + (summary["changed-since"] ?? 0);
  if (options.json) {
    reporter.json({ command: "rollback", runId: runId ?? null, target, provider, dryRun: Boolean(options.dryRun), summary, items: items.map((i) => jsonItem(i)) });
  } else {
    renderItems(reporter, items);
    const parts = Object.entries(summary).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`);
    reporter.out(`${options.dryRun ? "dry run: " : ""}${parts.join(", ") || "nothing to undo"}`);
  }
  return bad > 0 ? ExitCode.failed : ExitCode.ok;
}
