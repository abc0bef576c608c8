import type { Clock } from "../../core/clock.js";

/** AWS and Key Vault delete, purge and recover in the background, so a write right after a rollback meets a busy name. */
export const SETTLE_BOUND_MS = 120_000;

export interface Settling {
  readonly clock: Clock;
  readonly onWait: (retryInMs: number) => void;
  readonly boundMs?: number;
}

/** While `attempt` answers undefined ("still busy"), retries with a growing wait; past the bound `gaveUp()` is thrown. */
export async function untilSettled<T>(attempt: () => Promise<T | undefined>, s: Settling, gaveUp: () => Error): Promise<T> {
  const deadline = s.clock.now().getTime() + (s.boundMs ?? SETTLE_BOUND_MS);
  for (let delay = 250; ; delay = Math.min(delay * 2, 4000)) {
    const result = await attempt();
    if (result !== undefined) return result;
    if (s.clock.now().getTime() + delay > deadline) throw gaveUp();
    s.onWait(delay);
    await s.clock.sleep(delay);
  }
}
