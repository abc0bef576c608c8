import { usageError } from "../core/errors.js";

/**
 * What a child process (`--test-command`, a `command:` generator) may see of our environment.
 * Names a shell and the usual tools need to run and to format text; nothing that authenticates.
 */
const BASE = ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR"];
const LOCALE = /^LC_[A-Z_]+$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A minimal environment instead of ours: never `SECRETS_*` (the data key is one of them), provider
 * credentials or database URLs, which a command from a cloned `secretshift.yaml` could otherwise
 * copy out. `passEnv` adds variables the user named on the command line or in `SECRETS_PASS_ENV`
 * (never in `secretshift.yaml`, which a repository controls); `SECRETS_*` stays refused even then.
 */
export function childEnv(env: NodeJS.ProcessEnv, passEnv: readonly string[] = []): NodeJS.ProcessEnv {
  for (const name of passEnv) {
    if (!NAME.test(name)) throw usageError("BAD_OPTION", `--pass-env "${name}" is not an environment variable name`);
    if (name.startsWith("SECRETS_")) {
      throw usageError(
        "BAD_OPTION",
        `--pass-env ${name}: secretshift's own variables are never passed to commands`,
        "pass what the command needs under another name",
      );
    }
  }
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && (BASE.includes(name) || LOCALE.test(name) || passEnv.includes(name))) out[name] = value;
  }
  return out;
}
