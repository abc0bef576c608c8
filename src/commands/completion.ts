import type { Deps } from "../core/deps.js";
import { ExitCode, usageError } from "../core/errors.js";

/**
 * A completion script on stdout. zsh runs the bash function through its own bashcompinit, so the
 * two shells complete exactly alike.
 */
export async function completion(shell: string, deps: Deps): Promise<number> {
  const { completionModel, SHELLS } = await import("../completion/model.js");
  if (!(SHELLS as readonly string[]).includes(shell)) throw usageError("BAD_SHELL", `no completion for "${shell}"`, `one of: ${SHELLS.join(", ")}`);
  const model = completionModel();
  if (shell === "fish") deps.stdout.write((await import("../completion/fish.js")).fishScript(model));
  else {
    const bash = (await import("../completion/bash.js")).bashScript(model);
    deps.stdout.write(shell === "bash" ? bash : `#compdef secrets secretshift\nautoload -U +X bashcompinit && bashcompinit\n${bash}`);
  }
  return ExitCode.ok;
}
