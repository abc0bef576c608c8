import type { ProviderContext } from "../../src/providers/shared/context.js";

/** What a provider factory gets in a test: the harness's options and environment, no key, instant sleeps. */
export function testContext(options: Record<string, string>, env: Record<string, string>, stateDir = "/nonexistent"): ProviderContext {
  return {
    stateDir,
    key: undefined,
    options,
    env,
    clock: { now: () => new Date(), sleep: async () => undefined },
    concurrency: undefined,
    onEvent: () => undefined,
  };
}
