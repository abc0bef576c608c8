import { Writer } from "../core/apply.js";
import { ensurePrivateDir } from "../core/atomic-file.js";
import { BackupWriter } from "../core/backup.js";
import { type CommonOptions, confirmLive, lockState, needKey, newRunId, reporterFor, requireConsentPossible, stateDirOf } from "../core/command-options.js";
import type { Deps } from "../core/deps.js";
import { formatDuration, parseDuration } from "../core/duration.js";
import { CliError, ExitCode, usageError } from "../core/errors.js";
import { eachJournalEntry, holdsField, type JournalEntry } from "../core/journal.js";
import { openProvider } from "../core/open-provider.js";
import { chooseProvider, type ProviderFlag } from "../providers/choose.js";
import { DESCRIPTORS } from "../providers/index.js";
import { childEnv } from "../rotation/child-env.js";
import { parseGenerator } from "../rotation/generators.js";
import { decideRotation, type RotationDecision, rotateRuns } from "../rotation/plan.js";
import { abortRotation, advanceRotation, type RotationOutcome, type RotationRun } from "../rotation/run-rotation.js";
import { runShell, type Shell } from "../rotation/shell.js";
import { createStrategy } from "../rotation/strategies/index.js";
import { rotationOf } from "../rotation/types.js";
import { runDone } from "../ui/done-line.js";
import { askSecret, requireAskable } from "../ui/wizard.js";
import { listed } from "../ui/words.js";

export interface RotateOptions extends CommonOptions, ProviderFlag {
  readonly gracePeriod?: string;
  readonly generator?: string;
  readonly strategy?: string;
  readonly testCommand?: string;
  readonly abort?: boolean;
  readonly db?: string;
  readonly role?: string;
  readonly bits?: string;
  readonly passEnv?: readonly string[];
}

export const DEFAULT_GRACE = "24h";

/** Check options, pick the provider, lock, decide from labels and journal (fresh, resume, finish, abort), confirm, then run the steps. */
export async function rotate(asked: string | undefined, options: RotateOptions, deps: Deps, shell: Shell = runShell): Promise<number> {
  requireConsentPossible(deps, options);
  if (asked === undefined) requireAskable(deps, options, "MISSING_NAME", "secrets rotate needs the name of a secret", "secrets rotate <name>");
  const graceMs = parseDuration(options.gracePeriod ?? DEFAULT_GRACE, "--grace-period");
  const strategy = createStrategy(options.strategy ?? "generic", options, deps);
  const generator = parseGenerator(options.generator ?? strategy.defaultGenerator);
  const env = childEnv(deps.env, options.passEnv);
  strategy.checkGenerator(generator);
  const reporter = reporterFor(deps, options);
  const stateDir = stateDirOf(deps, options);
  const cleanups: (() => Promise<void>)[] = [() => strategy.close()];
  try {
    const { provider, from } = await chooseProvider(asked, options, deps, stateDir);
    reporter.info(`provider: ${provider} (from ${from})`);
    const { store, key, openJournal } = await openProvider(deps, options, provider, reporter);
    cleanups.push(() => store.close());
    const name = asked ?? (await askSecret(deps, options, `Rotate which secret on ${provider}?`, await store.list("")));
    const rotation = rotationOf(store);
    if (!rotation)
      throw usageError(
        "ROTATE_UNSUPPORTED",
        store.cannotRotate ?? `the ${provider} provider cannot rotate secrets`,
        `rotation needs a store that keeps versions: ${rotatingProviders()}`,
      );
    if (!options.dryRun) {
      needKey(key);
      await ensurePrivateDir(stateDir);
      cleanups.push(await lockState(deps, stateDir, "rotate", reporter));
    }

    const labels = await rotation.readLabels(name);
    if (!labels)
      throw new CliError("SECRET_NOT_FOUND", `${name} does not exist on ${provider}`, {
        exitCode: ExitCode.failed,
        hint: `rotation replaces an existing secret: migrate it to ${provider} first`,
      });
    // Only run starts and ends: the steps of a long migrate are streamed past unparsed.
    const starts: JournalEntry[] = [];
    const [start, end] = [holdsField("type", "run-start"), holdsField("type", "run-end")];
    await eachJournalEntry(
      stateDir,
      (e) => starts.push(e),
      (line) => start(line) || end(line),
    );
    const runs = rotateRuns(starts, provider, name);
    const decision = decideRotation(labels, runs, { name, abort: Boolean(options.abort), strategy: strategy.name, settings: strategy.settings });
    if (decision.kind === "blocked") throw new CliError(decision.code, decision.message, { exitCode: ExitCode.failed, hint: decision.hint });
    const ctx = { name, current: labels.current, ...(labels.previous ? { previous: labels.previous } : {}) };
    if (decision.kind !== "finish" && decision.kind !== "nothing") await strategy.prepare(ctx);
    const base = {
      command: "rotate",
      provider,
      name,
      strategy: strategy.name,
      generator: generator.label,
      action: decision.kind,
      currentVersion: labels.current.version,
    };
    if (options.dryRun) return done(reporter, options, { ...base, dryRun: true, status: "planned" }, describe(decision, name, generator.label, graceMs));
    const refused = await confirmLive(deps, options, `${describe(decision, name, generator.label, graceMs)} on ${provider}?`);
    if (refused !== undefined) {
      reporter.info("cancelled; nothing was written");
      return refused;
    }

    const runId = "runId" in decision && decision.runId ? decision.runId : newRunId(deps);
    const started = deps.clock.now().getTime();
    const writer = Writer.open({
      journal: await openJournal(),
      runId,
      signals: deps.signals,
      key,
      warn: (m) => reporter.warn(m),
      stopping: "interrupted: stopping after this step and undoing the rotation",
    });
    cleanups.push(() => writer.close());
    for (const dead of "abandon" in decision ? decision.abandon : [])
      await writer.note({ runId: dead, type: "run-end", status: "abandoned", data: { reason: "nothing of it was left in the store" } });
    if (decision.kind === "nothing")
      return done(reporter, options, { ...base, dryRun: false, status: "nothing" }, `no rotation of ${name} is in progress; nothing to abort`);
    if (decision.kind === "finish") {
      await writer.end("ok", { finishedBy: "re-run" });
      return done(
        reporter,
        options,
        { ...base, dryRun: false, runId, status: "rotated", version: decision.version },
        `run ${runId} had already promoted version ${decision.version} of ${name}; its journal is now complete`,
      );
    }
    const run: RotationRun = {
      runId,
      name,
      store: rotation,
      strategy,
      writer,
      ctx,
      graceMs,
      now: () => deps.clock.now(),
      testCommand: options.testCommand,
      shell,
      env,
      cwd: deps.cwd,
      progress: (m) => reporter.progress(m),
    };

    if (decision.kind === "abort") {
      if (!decision.runId) await writer.begin({ command: "rotate-abort", provider, name, data: { of: decision.pendingRunId ?? null } });
      const { pending, promoted } = decision;
      await abortRotation(run, { value: pending.value, promoted, ...(decision.pendingRunId ? { runId: decision.pendingRunId } : {}) });
      await writer.end("aborted");
      const line = promoted
        ? `the pending version ${pending.version} of ${name} had already been promoted (version ${labels.current.version} is current); its leftover is gone`
        : `abandoned the rotation of ${name}: the pending version ${pending.version} is gone, version ${labels.current.version} stays current`;
      return done(reporter, options, { ...base, dryRun: false, runId, status: "aborted" }, line);
    }

    let value: string;
    if (decision.kind === "resume") {
      value = decision.pending.value;
      reporter.info(`resuming run ${runId}: its pending version ${decision.pending.version} is set, tested and promoted again`);
      await writer.note({ runId, type: "note", name, action: "resume", data: { pendingVersion: decision.pending.version } });
    } else {
      // Generated before anything is written: a failing generator leaves no trace but this message.
      value = strategy.pendingValue(await generator.generate({ randomBytes: deps.randomBytes, shell, env, cwd: deps.cwd }), ctx);
      const backup = await BackupWriter.create(stateDir, runId, needKey(key));
      await backup.append({ priors: [{ name, existed: true, value: labels.current.value, version: labels.current.version }], meta: { command: "rotate" } });
      const settings = Object.fromEntries(Object.entries(strategy.settings).map(([k, v]) => [`setting:${k}`, v]));
      await writer.begin({ command: "rotate", provider, name, data: { strategy: strategy.name, generator: generator.label, graceMs, ...settings } });
    }
    const outcome = await advanceRotation(run, { value, ...(decision.kind === "resume" ? { version: decision.pending.version } : {}) });
    await writer.end(outcome.status === "rotated" ? "ok" : outcome.status, outcome.failedStep ? { failedStep: outcome.failedStep } : undefined);
    if (outcome.status !== "rotated") throw failure(name, provider, labels.current.version, outcome);
    const previous = labels.current.version;
    const until = outcome.graceUntil?.toISOString();
    // A finished rotation is undone from its backup (the grace period changes nothing about that).
    const finished = runDone(1, started, deps.clock.now().getTime(), runId, `secrets rollback ${provider} --run ${runId}`);
    return done(
      reporter,
      options,
      {
        ...base,
        dryRun: false,
        runId,
        status: "rotated",
        version: outcome.version,
        previousVersion: previous,
        graceUntil: until,
        seconds: finished.seconds,
        undo: finished.undo,
      },
      `rotated ${name} on ${provider} in ${finished.seconds.toFixed(1)} s (run ${runId}): version ${outcome.version} is current, version ${previous} stays readable until ${until}; undo: ${finished.undo}`,
    );
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

const rotatingProviders = () =>
  listed(DESCRIPTORS.flatMap(({ name, capabilities: { rotation } }) => (rotation === false ? [] : [rotation === true ? name : `${name} ${rotation}`])));

function describe(decision: RotationDecision, name: string, generator: string, graceMs: number): string {
  switch (decision.kind) {
    case "resume":
      return `resume rotation run ${decision.runId} of ${name} (pending version ${decision.pending.version})`;
    case "finish":
      return `finish the journal of run ${decision.runId} (version ${decision.version} is already current)`;
    case "abort":
      return `abandon the rotation of ${name} (pending version ${decision.pending.version})`;
    case "nothing":
      return `nothing to abort for ${name}`;
    default:
      return `rotate ${name} (generator ${generator}, grace period ${formatDuration(graceMs)})`;
  }
}

function done(reporter: ReturnType<typeof reporterFor>, options: RotateOptions, document: Record<string, unknown>, line: string): number {
  if (options.json) reporter.json(document);
  else reporter.out(options.dryRun ? `dry run: would ${line}; nothing was written` : line);
  return ExitCode.ok;
}

function failure(name: string, provider: string, current: string, o: RotationOutcome): CliError {
  const where = `rotation of ${name} on ${provider} ${o.status === "interrupted" ? "was interrupted" : "failed"} at step ${o.failedStep}: ${o.error}`;
  if (o.status === "unknown") {
    return new CliError("ROTATION_INCOMPLETE", `${where}; ${o.cleanup}`, {
      exitCode: ExitCode.failed,
      hint: `re-run the same command to finish it, or add --abort to abandon it`,
    });
  }
  const exitCode = o.status === "interrupted" ? ExitCode.interrupted : ExitCode.failed;
  return new CliError("ROTATION_FAILED", `${where}; version ${current} is still current (${o.cleanup})`, {
    exitCode,
    hint: "fix the cause and run the same command again",
  });
}
