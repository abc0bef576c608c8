import { resolve } from "node:path";
import { ensurePrivateDir } from "../core/atomic-file.js";
import { type CommonOptions, newRunId, reporterFor, stateDirOf } from "../core/command-options.js";
import { loadKey, requireKey } from "../core/crypto.js";
import type { Deps } from "../core/deps.js";
import { ExitCode, isCliError, usageError } from "../core/errors.js";
import { eachJournalEntry, holdsField, type JournalEntry, RunFold } from "../core/journal.js";
import { checkAnchor } from "../core/journal-anchor.js";
import { upgradeState } from "../core/journal-upgrade.js";
import { verifyJournal } from "../core/journal-verify.js";
import { acquireLock } from "../core/lock.js";
import { openProvider } from "../core/open-provider.js";
import { DESCRIPTORS, isProviderName, unknownProvider } from "../providers/index.js";
import { table } from "../ui/table.js";
import { listed } from "../ui/words.js";

export interface JournalOptions extends CommonOptions {
  readonly provider?: string;
}

/** Reading needs no key (lines shown unverified, with a warning when a key says they do not verify); `verify` needs it. */
export async function journal(action: string, runId: string | undefined, options: JournalOptions, deps: Deps): Promise<number> {
  const reporter = reporterFor(deps, options);
  const stateDir = stateDirOf(deps, options);
  const storePath = resolve(deps.cwd, options.providerOptions?.store ?? resolve(stateDir, "store.enc"));
  if (options.provider !== undefined && !isProviderName(options.provider)) throw unknownProvider(options.provider);
  if (action === "verify") return verify(stateDir, storePath, options, deps);
  if (action === "upgrade") {
    const key = await requireKey({ env: deps.env, stateDir });
    await ensurePrivateDir(stateDir);
    const release = await acquireLock(`${stateDir}/lock`);
    try {
      const done = await upgradeState(stateDir, storePath, key, { clock: deps.clock, runId: newRunId(deps) });
      if (options.json) reporter.json({ command: "journal upgrade", ...done });
      else
        reporter.out(done.changed.length ? `upgraded: ${done.changed.join("; ")}` : "nothing to upgrade: the journal and the store are already authenticated");
      return ExitCode.ok;
    } finally {
      await release();
    }
  }
  if (action !== "list" && action !== "show")
    throw usageError("BAD_ACTION", `unknown journal action "${action}"`, "use list, show <run-id>, verify or upgrade");
  await warnUnverified(stateDir, storePath, deps, reporter);
  // Streamed: after a million-secret run the journal is larger than one string can hold.
  if (action === "list") {
    const fold = new RunFold();
    await eachJournalEntry(stateDir, (e) => fold.add(e));
    const runs = fold.summaries().filter((r) => options.provider === undefined || r.provider === options.provider);
    if (options.json) return reporter.json({ command: "journal list", runs }), ExitCode.ok;
    const rows = runs.map((r) => [
      r.runId,
      r.command ?? "",
      r.provider ?? "",
      r.startedAt,
      r.status ?? "unfinished",
      `${r.counts.done}/${r.counts.intent}${r.counts.failed ? ` (${r.counts.failed} failed)` : ""}`,
    ]);
    reporter.out(rows.length ? table(["RUN", "COMMAND", "PROVIDER", "STARTED", "STATUS", "DONE"], rows) : "the journal is empty");
    return ExitCode.ok;
  }
  if (!runId) throw usageError("RUN_REQUIRED", "journal show needs a run id", "list runs with `secrets journal list`");
  const lines: JournalEntry[] = [];
  await eachJournalEntry(
    stateDir,
    (e) => {
      if (e.runId === runId && e.type !== "store") lines.push(e);
    },
    holdsField("runId", runId),
  );
  if (lines.length === 0) throw usageError("RUN_NOT_FOUND", `no run ${runId} in the journal`, "list runs with `secrets journal list`");
  if (options.json) return reporter.json({ command: "journal show", runId, entries: lines }), ExitCode.ok;
  reporter.out(
    table(
      ["SEQ", "TIME", "TYPE", "NAME", "ACTION", "DETAIL"],
      lines.map((e) => [String(e.seq), e.ts, e.type, e.name ?? "", e.action ?? e.command ?? "", e.error ?? e.status ?? e.version ?? ""]),
    ),
  );
  return ExitCode.ok;
}

async function verify(stateDir: string, storePath: string, options: JournalOptions, deps: Deps): Promise<number> {
  const reporter = reporterFor(deps, options);
  const key = await requireKey({ env: deps.env, stateDir });
  const result = await verifyJournal(stateDir, key, storePath);
  let anchor: Awaited<ReturnType<typeof checkAnchor>> | undefined;
  if (result.ok && options.provider !== undefined && isProviderName(options.provider)) {
    const { store } = await openProvider(deps, options, options.provider, reporter);
    try {
      if (!store.anchor)
        throw usageError(
          "NO_ANCHOR",
          `the ${options.provider} provider keeps no journal anchor`,
          `anchors live in ${listed(DESCRIPTORS.filter((d) => d.capabilities.anchor).map((d) => d.name))}`,
        );
      anchor = await checkAnchor(stateDir, options.provider, store.anchor);
    } finally {
      await store.close();
    }
  }
  const ok = result.ok && anchor?.ok !== false;
  if (options.json) {
    reporter.json({ command: "journal verify", ...result, ...(anchor ? { anchor: { provider: options.provider, ...anchor } } : {}), ok });
  } else if (!result.ok) reporter.out(`journal tampered: ${result.reason}`);
  else if (anchor && !anchor.ok) reporter.out(`journal tampered: ${anchor.reason}`);
  else {
    const s = result.store;
    const store = s ? `; ${s.path} is generation ${s.generation}${s.generation === s.recorded ? ", as recorded" : ""}` : "";
    reporter.out(`journal ok: ${result.lines} lines, every line authenticated and chained${store}${anchor?.ok ? `; ${anchor.detail}` : ""}`);
    if (s && s.generation > s.recorded) {
      reporter.warn(
        `the journal recorded generation ${s.recorded} of ${s.path}: another state folder wrote it since, a run died right after saving it, or the journal was cut back to an older head`,
      );
    }
    if (anchor?.ok && anchor.stale) reporter.warn(anchor.stale);
  }
  return ok ? ExitCode.ok : ExitCode.failed;
}

async function warnUnverified(stateDir: string, storePath: string, deps: Deps, reporter: ReturnType<typeof reporterFor>): Promise<void> {
  const key = await loadKey({ env: deps.env, stateDir }).catch(() => undefined);
  if (!key) return reporter.info("note: shown without verification (no key); `secrets journal verify` authenticates the lines");
  const result = await verifyJournal(stateDir, key, storePath).catch((e: unknown) => {
    if (isCliError(e)) return { ok: false as const, reason: e.message };
    throw e;
  });
  if (!result.ok) reporter.warn(`the journal does not verify (${result.reason}); what is shown may have been altered`);
}
