import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** What the old generation may grow past what the last collection left before a batch asks for one. */
const HEADROOM = 24 * 1024 * 1024;

let collect: (() => void) | null | undefined;
let floor = 0;

/**
 * Called between batches. V8 lets a heap whose collections are quick grow to several times its live
 * data before collecting, so a million-cell run that holds ~15 MB of live objects reached 300+ MB of
 * resident memory. A heap limit would bound it but can crash a legitimately large input, so instead a
 * full collection runs once the old generation has grown HEADROOM past what the last one left: ~10 ms each,
 * every few tens of thousands of secrets. Where V8 refuses the flag, nothing changes but memory.
 */
export function settleHeap(): void {
  if (oldGeneration() < floor + HEADROOM) return;
  collect ??= exposedGc();
  if (!collect) return;
  collect();
  floor = oldGeneration();
}

/** The young generation is left out: scavenges already keep it small, and counting it would collect for nothing. */
function oldGeneration(): number {
  let used = 0;
  for (const space of getHeapSpaceStatistics()) if (!space.space_name.startsWith("new_")) used += space.space_used_size;
  return used;
}

function exposedGc(): (() => void) | null {
  try {
    // The documented flag, set at run time: a new context then sees `gc` as a global.
    setFlagsFromString("--expose-gc");
    const gc: unknown = runInNewContext("gc");
    return typeof gc === "function" ? (gc as () => void) : null;
  } catch {
    return null;
  }
}
