/** What the old generation may grow past what the last collection left before a batch asks for one. */
const HEADROOM = 24 * 1024 * 1024;
/** Small runs never pay for loading node:v8: the governor starts after this many batches. */
const QUIET_BATCHES = 20;

interface Governor {
  oldGeneration(): number;
  collect: (() => void) | null;
  floor: number;
}

let batches = 0;
let governor: Promise<Governor> | undefined;

/**
 * Awaited between batches. V8 lets a heap whose collections are quick grow to several times its live
 * data before collecting, so a million-cell run that holds ~15 MB of live objects reached 300+ MB of
 * resident memory. A heap limit would bound it but can crash a legitimately large input, so instead a
 * full collection runs once the old generation has grown HEADROOM past what the last one left: ~10 ms
 * each, every few tens of thousands of secrets. Where V8 refuses the flag, nothing changes but memory.
 */
export async function settleHeap(): Promise<void> {
  if (++batches <= QUIET_BATCHES) return;
  governor ??= start();
  const g = await governor;
  if (!g.collect || g.oldGeneration() < g.floor + HEADROOM) return;
  g.collect();
  g.floor = g.oldGeneration();
}

async function start(): Promise<Governor> {
  const [v8, vm] = await Promise.all([import("node:v8"), import("node:vm")]);
  // The young generation is left out: scavenges already keep it small, and counting it would collect for nothing.
  const oldGeneration = () => {
    let used = 0;
    for (const space of v8.getHeapSpaceStatistics()) if (!space.space_name.startsWith("new_")) used += space.space_used_size;
    return used;
  };
  let collect: (() => void) | null = null;
  try {
    // The documented flag, set at run time: a new context then sees `gc` as a global.
    v8.setFlagsFromString("--expose-gc");
    const gc: unknown = vm.runInNewContext("gc");
    if (typeof gc === "function") collect = gc as () => void;
  } catch {
    // memory only
  }
  return { oldGeneration, collect, floor: 0 };
}
