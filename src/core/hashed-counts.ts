import { randomBytes } from "node:crypto";

/** A count this high is not kept: it reads as never reached. */
const SATURATED = 255;

/**
 * Small counts per name, keyed by a 64-bit hash of the name rather than the name: 9 bytes a slot,
 * where a `NameIndex` also keeps every name's bytes (~40 MB for a million). Two names that share all
 * 64 bits share a count, so a caller must stay right when a count is too high (rollback then hands
 * those names on at the end of its pass instead of sooner). The seeds are per process.
 */
export class HashedCounts {
  private lows = new Uint32Array(1024);
  private highs = new Uint32Array(1024);
  private counts = new Uint8Array(1024);
  /** How many of each count `take` has used; made on its first call, after the last `add`. */
  private taken: Uint8Array | undefined;
  private readonly seedA = randomBytes(4).readUInt32LE(0);
  private readonly seedB = randomBytes(4).readUInt32LE(0);
  /** The last name's hash, kept in fields so a lookup allocates nothing. */
  private low = 0;
  private high = 0;
  size = 0;

  add(name: string): void {
    this.hash(name);
    if ((this.size + 1) * 2 > this.counts.length) this.grow();
    const slot = this.slotOf(this.low, this.high);
    if (this.counts[slot] === 0) {
      this.lows[slot] = this.low;
      this.highs[slot] = this.high;
      this.size++;
    }
    if ((this.counts[slot] as number) < SATURATED) (this.counts[slot] as number)++;
  }

  /** 0 for a name never added; infinite once a count is past what a slot holds. */
  get(name: string): number {
    this.hash(name);
    const count = this.counts[this.slotOf(this.low, this.high)] as number;
    return count === SATURATED ? Number.POSITIVE_INFINITY : count;
  }

  /**
   * Uses one of the name's count: what is then left, below 0 for a name never added or used more
   * often than added, infinite when the count was too high to keep. Only once every `add` is done.
   */
  take(name: string): number {
    this.hash(name);
    const slot = this.slotOf(this.low, this.high);
    const count = this.counts[slot] as number;
    if (count === SATURATED) return Number.POSITIVE_INFINITY;
    if (count === 0) return -1;
    this.taken ??= new Uint8Array(this.counts.length);
    const taken = Math.min((this.taken[slot] as number) + 1, SATURATED);
    this.taken[slot] = taken;
    return count - taken;
  }

  /** FNV-1a and a multiply-xor hash over the UTF-16 code units, each finished with murmur3's mix. */
  private hash(name: string): void {
    let a = this.seedA ^ 2166136261;
    let b = this.seedB ^ name.length;
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i);
      a = Math.imul(a ^ c, 16777619);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 13;
    }
    this.low = mix(a);
    this.high = mix(b);
  }

  /** Where the key is, or the empty slot it would take. */
  private slotOf(low: number, high: number): number {
    const mask = this.counts.length - 1;
    for (let slot = low & mask; ; slot = (slot + 1) & mask) {
      if (this.counts[slot] === 0 || (this.lows[slot] === low && this.highs[slot] === high)) return slot;
    }
  }

  private grow(): void {
    this.taken = undefined;
    const { lows, highs, counts } = this;
    this.lows = new Uint32Array(counts.length * 2);
    this.highs = new Uint32Array(counts.length * 2);
    this.counts = new Uint8Array(counts.length * 2);
    for (let i = 0; i < counts.length; i++) {
      if (counts[i] === 0) continue;
      const slot = this.slotOf(lows[i] as number, highs[i] as number);
      this.lows[slot] = lows[i] as number;
      this.highs[slot] = highs[i] as number;
      this.counts[slot] = counts[i] as number;
    }
  }
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
