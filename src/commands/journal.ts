import type { Deps } from "../core/deps.js";
import { ExitCode, usageError } from "../core/errors.js";
import { entriesOf, readJournal, runsOf, verifyJournal } from "../core/journal.js";
import { table } from "../ui/table.js";
import { type CommonOptions, reporterFor, stateDirOf } from "./common.js";

export type JournalOptions = CommonOptions;

/** `secrets journal [list | show <run> | verify]` — reading the audit trail never needs the key. */
export async function journal(action: string, runId: string | undefined, options: JournalOptions, deps: Deps): Promise<number> {
  const reporter = reporterFor(deps, options);
  const stateDir = stateDirOf(deps, options);
  if (action === "verify") {
    const result = await verifyJournal(stateDir);
    if (options.json) reporter.json({ command: "journal verify", ...result });
    else if (result.ok) reporter.out(`journal ok: ${result.lines} lines, chain intact`);
    else reporter.out(`journal tampered: line ${result.line}: ${result.reason}`);
    return result.ok ? ExitCode.ok : ExitCode.failed;
  }
  const entries = await readJournal(stateDir);
  if (action === "list") {
    const runs = runsOf(entries);
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
  if (action === "show") {
    if (!runId) throw usageError("RUN_REQUIRED", "journal show needs a run id", "list runs with `secrets journal list`");
    const lines = entriesOf(entries, runId);
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
  throw usageError("BAD_ACTION", `unknown journal action "${action}"`, "use list, show <run-id> or verify");
}
