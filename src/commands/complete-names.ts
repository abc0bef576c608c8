import { type CommonOptions, stateDirOf } from "../core/command-options.js";
import { loadKey } from "../core/crypto.js";
import type { Deps } from "../core/deps.js";
import { ExitCode } from "../core/errors.js";
import { DEFAULT_PROVIDER } from "../providers/index.js";

/**
 * Names for the completion scripts: the local store's, one a line, never a value. Tab must not
 * reach a cloud or print an error into the prompt, so anything that keeps the store shut (no key,
 * no store, a wrong key) prints nothing and succeeds.
 */
export async function completeNames(options: CommonOptions, deps: Deps): Promise<number> {
  try {
    const stateDir = stateDirOf(deps, options);
    const key = await loadKey({ env: deps.env, stateDir });
    if (!key) return ExitCode.ok;
    const store = await deps.providers(DEFAULT_PROVIDER, {
      stateDir,
      key,
      options: {},
      env: deps.env,
      clock: deps.clock,
      concurrency: undefined,
      onEvent: () => {},
    });
    try {
      await store.connect();
      const names = await store.list("");
      if (names.length) deps.stdout.write(`${[...names].sort().join("\n")}\n`);
    } finally {
      await store.close();
    }
  } catch {
    // a shut store completes nothing
  }
  return ExitCode.ok;
}
