import { constants } from "node:fs";
import { access, appendFile, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CONFIG_FILE } from "../config/load.js";
import { starterConfig } from "../config/starter.js";
import { createExclusive, ensurePrivateDir, lstatOrUndefined, refuseStateLinks } from "../core/atomic-file.js";
import { type CommonOptions, reporterFor, stateDirOf } from "../core/command-options.js";
import { generateKeyMaterial } from "../core/crypto.js";
import type { Deps } from "../core/deps.js";
import { CliError, ExitCode } from "../core/errors.js";
import { isProviderName, unknownProvider } from "../providers/index.js";
import { askStarterProvider } from "../ui/wizard.js";

export interface InitOptions extends CommonOptions {
  readonly provider?: string;
}

/**
 * Idempotent: creates only what is missing and never replaces an existing key. A missing key beside
 * existing state is refused: a new key cannot read what the old one wrote.
 */
export async function init(given: InitOptions, deps: Deps): Promise<number> {
  // Asked before anything is created, so Ctrl-C here leaves the folder as it was.
  const options = given.provider === undefined ? { ...given, provider: await askStarterProvider(deps, given) } : given;
  const reporter = reporterFor(deps, options);
  const stateDir = stateDirOf(deps, options);
  refuseStateLinks(stateDir);
  await ensurePrivateDir(stateDir);
  const keyPath = join(stateDir, "key");
  if ((await lstatOrUndefined(keyPath)) === undefined) await refuseBesideState(stateDir, options.stateDir ?? ".secrets");
  const keyCreated = await createExclusive(keyPath, `${generateKeyMaterial(deps.randomBytes)}\n`);
  const ignored = await ignoreStateDir(deps.cwd, options.stateDir ?? ".secrets");
  const configWritten = options.provider ? await writeStarter(deps.cwd, options.provider) : undefined;
  if (options.json) {
    reporter.json({ command: "init", stateDir, keyCreated, gitignore: ignored, ...(configWritten === undefined ? {} : { configWritten }) });
  } else {
    reporter.out(keyCreated ? `created ${keyPath} (keep it safe: without it backups and the local store cannot be read)` : `kept existing ${keyPath}`);
    if (ignored === "added") reporter.out(`added ${options.stateDir ?? ".secrets"}/ to .gitignore`);
    if (configWritten !== undefined) reporter.out(configWritten ? `wrote ${CONFIG_FILE} for ${options.provider}` : `kept existing ${CONFIG_FILE}`);
  }
  return ExitCode.ok;
}

async function writeStarter(cwd: string, provider: string): Promise<boolean> {
  if (!isProviderName(provider)) throw unknownProvider(provider);
  try {
    await writeFile(join(cwd, CONFIG_FILE), starterConfig(provider), { flag: "wx" });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

/** The state a lost key leaves behind: what a fresh key would sit next to, unable to read it. */
async function refuseBesideState(stateDir: string, shown: string): Promise<void> {
  const backups = (await readdir(join(stateDir, "backups")).catch(() => [] as string[])).filter((n) => n.endsWith(".enc"));
  const found: string[] = [];
  for (const name of ["store.enc", "journal.jsonl", "journal.head"]) if (await lstatOrUndefined(join(stateDir, name))) found.push(name);
  if (backups.length > 0) found.push(`${backups.length} backup(s)`);
  if (found.length === 0) return;
  throw new CliError("KEY_MISSING_WITH_STATE", `${stateDir} holds ${found.join(", ")} but no key: a new key could not read them`, {
    exitCode: ExitCode.usage,
    hint: `put the old key back (${shown}/key, mode 600, or SECRETS_ENCRYPTION_KEY); to start over deliberately, move the folder aside first: mv ${shown} ${shown}.old && secrets init`,
  });
}

async function exists(path: string): Promise<boolean> {
  return access(path, constants.F_OK).then(
    () => true,
    () => false,
  );
}

async function ignoreStateDir(cwd: string, dir: string): Promise<"added" | "present" | "no-git"> {
  const gitignore = join(cwd, ".gitignore");
  const hasIgnore = await exists(gitignore);
  if (!hasIgnore && !(await exists(join(cwd, ".git")))) return "no-git";
  const entry = `${dir.replace(/\/+$/, "")}/`;
  const text = hasIgnore ? await readFile(gitignore, "utf8") : "";
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines.includes(entry) || lines.includes(`/${entry}`) || lines.includes(entry.slice(0, -1))) return "present";
  await appendFile(gitignore, `${text === "" || text.endsWith("\n") ? "" : "\n"}${entry}\n`);
  return "added";
}
