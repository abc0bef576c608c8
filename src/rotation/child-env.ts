import { usageError } from "../core/errors.js";

const BASE = ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR"];
const LOCALE = /^LC_[A-Z_]+$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Never `SECRETS_*` (the data key is one), provider credentials or database URLs, which a command
 * from a cloned `secretshift.yaml` could copy out. `passEnv` comes from the command line or
 * `SECRETS_PASS_ENV`, never from the file a repository controls.
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
