import { type CommonOptions, reporterFor, stateDirOf } from "../core/command-options.js";
import type { Deps } from "../core/deps.js";
import { CliError, ExitCode, usageError } from "../core/errors.js";
import { openProvider } from "../core/open-provider.js";
import { chooseProvider, type ProviderFlag } from "../providers/choose.js";
import { type RotationVersion, rotationOf } from "../rotation/types.js";
import { mask } from "../ui/mask.js";
import { table } from "../ui/table.js";

export interface GetOptions extends CommonOptions, ProviderFlag {
  /** Only the command line may turn `reveal` on, never SECRETS_REVEAL or a file. */
  readonly revealSource?: string;
  readonly withPrevious?: boolean;
  readonly reveal?: boolean;
}

interface Shown {
  readonly current: RotationVersion;
  readonly previous?: RotationVersion;
  readonly graceUntil?: Date;
}

/** `--reveal` is the one code path that prints a plaintext value; with `--with-previous --json`, for verifying old JWTs. */
export async function get(name: string, options: GetOptions, deps: Deps): Promise<number> {
  if (options.reveal && options.revealSource !== undefined && options.revealSource !== "cli") {
    throw usageError("REVEAL_NOT_ON_COMMAND_LINE", "--reveal must be typed on the command line", "unset SECRETS_REVEAL; printing a value is never a default");
  }
  if (options.reveal && options.withPrevious && !options.json) throw usageError("BAD_OPTION", "--reveal --with-previous prints JSON only", "add --json");
  const reporter = reporterFor(deps, options);
  const { provider, from } = await chooseProvider(name, options, deps, stateDirOf(deps, options));
  reporter.info(`provider: ${provider} (from ${from})`);
  const { store } = await openProvider(deps, options, provider, reporter);
  try {
    let shown: Shown | undefined;
    const rotation = rotationOf(store);
    if (rotation) shown = await rotation.readLabels(name);
    else if (options.withPrevious) throw usageError("NO_PREVIOUS", `the ${provider} provider keeps no previous versions`, "drop --with-previous");
    else {
      const current = (await store.readMany([name])).get(name);
      shown = current ? { current: { version: current.version, value: current.value } } : undefined;
    }
    if (!shown) throw new CliError("SECRET_NOT_FOUND", `${name} does not exist on ${provider}`, { exitCode: ExitCode.failed });
    const previous = options.withPrevious ? shown.previous : undefined;
    const graceUntil = shown.graceUntil?.toISOString() ?? null;

    if (options.reveal) {
      if (options.json) reporter.json({ current: shown.current.value, ...(options.withPrevious ? { previous: previous?.value ?? null } : {}), graceUntil });
      else reporter.out(shown.current.value);
      return ExitCode.ok;
    }
    if (options.json) {
      const masked = (v: RotationVersion) => ({ version: v.version, masked: mask(v.value) });
      reporter.json({
        name,
        provider,
        current: masked(shown.current),
        ...(options.withPrevious ? { previous: previous ? masked(previous) : null } : {}),
        graceUntil,
      });
      return ExitCode.ok;
    }
    const rows = [["current", shown.current.version, mask(shown.current.value), ""]];
    if (previous) rows.push(["previous", previous.version, mask(previous.value), graceUntil ? `readable until ${graceUntil}` : ""]);
    reporter.out(table(["LABEL", "VERSION", "VALUE", "NOTE"], rows));
    return ExitCode.ok;
  } finally {
    await store.close();
  }
}
