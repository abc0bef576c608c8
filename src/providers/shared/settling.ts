import type { Clock } from "../../core/clock.js";

/**
 * How long a write waits for the service to finish a delete, purge or recovery of its name. AWS
 * and Key Vault do those in the background ("use appropriate back off and retry logic"; purges "may
 * take several seconds"), so a write right after a rollback meets a name that is briefly busy.
 */
export const SETTLE_BOUND_MS = 120_000;

export interface Settling {
  readonly clock: Clock;
  /** Told before each wait, so progress shows why the run is not moving. */
  readonly onWait: (retryInMs: number) => void;
  readonly boundMs?: number;
}

/**
 * Runs `attempt` until it gives a result, waiting 250 ms, then twice as long each time (at most
 * 4 s), while it answers `undefined` ("the name is still busy"). Past the bound `gaveUp()` is thrown.
 */
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
