/** What the old generation may grow past what the last collection left before a batch asks for one. */
const HEADROOM = 24 * 1024 * 1024;
/**
 * Small runs never pay for loading node:v8 (~4 ms): the governor starts at the fourth call (a batch of
 * a run, or a 1 MiB chunk of the store or the journal read), past what `validate` of a small project makes.
 */
const FIRST_BATCH = 4;
/** Nor for a full collection: those start after this many batches. */
const QUIET_BATCHES = 20;
/** Node 20's young generation at its largest (two 16 MiB semi-spaces); Node 22+ let it reach 128 MiB. */
const YOUNG_CAP = 32 * 1024 * 1024;
let youngCap = YOUNG_CAP;
let headroom = HEADROOM;

interface Governor {
  oldGeneration(): number;
  youngGeneration(): number;
  stopYoungGrowth(): void;
  collect: (() => void) | null;
  floor: number;
  youngCapped: boolean;
}

let batches = 0;
let governor: Promise<Governor> | undefined;
/** Set by readyGovernor() only: holdYoung() is called inside synchronous work, where nothing can be awaited. */
let ready: Governor | undefined;
/** Where holdYoung() stops the young generation. */
const HELD_YOUNG = 8 * 1024 * 1024;

/**
 * Awaited between batches. V8 lets a heap whose collections are quick grow to several times its live
 * data before collecting, so a million-cell run that holds ~15 MB of live objects reached 300+ MB of
 * resident memory. A heap limit would bound it but can crash a legitimately large input, so instead a
 * full collection runs once the old generation has grown HEADROOM past what the last one left: ~10 ms
 * each, every few tens of thousands of secrets. Where V8 refuses a flag, nothing changes but memory.
 */
export async function settleHeap(): Promise<void> {
  if (++batches < FIRST_BATCH) return;
  governor ??= start();
  const g = await governor;
  capYoung(g, youngCap);
  if (batches <= QUIET_BATCHES || !g.collect || g.oldGeneration() < g.floor + headroom) return;
  g.collect();
  g.floor = g.oldGeneration();
}

/**
 * For a command that holds two million-name tables at once (rollback: its run's counts and the
 * store's index; validate: the names it has met and the store's index): the young generation stops
 * at half the usual size and a full collection comes after half the growth. More collections, each
 * cheap; 20–40 MiB less at the peak of a 1M rollback.
 * Called before the command's first batch: the young generation never shrinks back.
 */
export function leanHeap(): void {
  youngCap = YOUNG_CAP / 2;
  headroom = HEADROOM / 2;
}

/** Starts the governor (loads node:v8) ahead of a long synchronous step that will call holdYoung(). */
export async function readyGovernor(): Promise<void> {
  governor ??= start();
  ready = await governor;
}

/**
 * Between the parts of a large `.env`'s parse, one synchronous step: once the young generation has
 * reached 8 MiB (it has after dotenv's parse of 100k lines), it grows no further for the run. Left to
 * grow, Node 24's reached 64 MiB before the first batch, and a no-op re-run of 100k took ~10 % longer
 * than with Node started at `--max-semi-space-size=8`. A no-op unless readyGovernor() was called: a
 * large `.env` read in pieces settles the heap per piece instead, and keeps its measured bounds.
 */
export function holdYoung(): void {
  if (ready) capYoung(ready, HELD_YOUNG);
}

/** Once the young generation has reached `limit`, it grows no further (it never shrinks back). */
function capYoung(g: Governor, limit: number): void {
  if (g.youngCapped || g.youngGeneration() < limit) return;
  g.stopYoungGrowth();
  g.youngCapped = true;
}

async function start(): Promise<Governor> {
  const v8 = await import("node:v8");
  const spaces = () => v8.getHeapSpaceStatistics();
  const oldGeneration = () => {
    let used = 0;
    for (const space of spaces()) if (!space.space_name.startsWith("new_")) used += space.space_used_size;
    return used;
  };
  const youngGeneration = () => spaces().find((space) => space.space_name === "new_space")?.space_size ?? 0;
  // --max-semi-space-size is read only when the heap is set up, but the growth factor is read at each
  // growth: 1 keeps the young generation where it is. Node 24's reached 128 MiB on a 100k run, which
  // alone took the peak past 256 MiB; at 32 MiB its scavenges cost no more than Node 20's. V8 prints
  // an unknown flag to stderr rather than throw: this one is in V8 11.3 and 13.6 (Node 20 and 24).
  const stopYoungGrowth = () => flag(v8, "--semi-space-growth-factor=1");
  return { oldGeneration, youngGeneration, stopYoungGrowth, floor: 0, youngCapped: false, ...(await collector(v8)) };
}

async function collector(v8: typeof import("node:v8")): Promise<Pick<Governor, "collect">> {
  const vm = await import("node:vm");
  // The documented flag, set at run time: a new context then sees `gc` as a global.
  if (!flag(v8, "--expose-gc")) return { collect: null };
  try {
    const gc: unknown = vm.runInNewContext("gc");
    return { collect: typeof gc === "function" ? (gc as () => void) : null };
  } catch {
    return { collect: null };
  }
}

function flag(v8: typeof import("node:v8"), text: string): boolean {
  try {
    v8.setFlagsFromString(text);
    return true;
  } catch {
    return false;
  }
}
