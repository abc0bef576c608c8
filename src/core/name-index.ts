import { randomBytes } from "node:crypto";

const EMPTY = 0;
const GONE = 1;
/** Names live in chunks of this size, so the store grows without copying or doubling. */
const CHUNK_BITS = 20;
const CHUNK = 1 << CHUNK_BITS;
/** Slots per name at most 1/0.75: a table a third larger than what it holds. */
const LOAD = 0.75;
/** Names up to this many bytes are compared in JavaScript, longer ones by Buffer.compare. */
const SHORT = 64;

/**
 * A map from names to numbers held outside the JavaScript heap: the names' UTF-8 bytes in 1 MiB
 * chunks, open addressing in typed arrays. A million names cost about 40 MB that the garbage collector
 * never walks, where a `Map` costs more on the heap and, with the collector's headroom, two or three
 * times that in resident memory. Exact: a slot's hash only narrows the search, the bytes decide.
 */
export class NameIndex {
  private hashes: Uint32Array;
  private offsets: Uint32Array;
  private values: Float64Array | Int32Array;
  private readonly chunks: Buffer[] = [];
  /** Bytes used in the last chunk. */
  private used = CHUNK;
  private scratch = Buffer.allocUnsafe(4096);
  private tombstones = 0;
  /** Per process: a name chosen to collide in one run does not collide in the next. */
  private readonly seed = randomBytes(4).readUInt32LE(0);
  size = 0;

  /** `wide` holds any safe integer (8 bytes a slot); otherwise values are 32-bit. */
  constructor(
    private capacity = 1024,
    private readonly wide = false,
  ) {
    this.hashes = new Uint32Array(capacity);
    this.offsets = new Uint32Array(capacity);
    this.values = this.newValues(capacity);
  }

  get(name: string): number | undefined {
    const length = this.encode(name);
    const slot = this.find(length, this.hashOf(length));
    return slot < 0 ? undefined : this.values[slot];
  }

  has(name: string): boolean {
    const length = this.encode(name);
    return this.find(length, this.hashOf(length)) >= 0;
  }

  set(name: string, value: number): void {
    this.put(name, value);
  }

  /** set(), giving the value it replaced: one lookup where get() then set() would make two. */
  put(name: string, value: number): number | undefined {
    const length = this.encode(name);
    const hash = this.hashOf(length);
    const found = this.find(length, hash);
    if (found >= 0) {
      const before = this.values[found];
      this.values[found] = value;
      return before;
    }
    if (this.size + this.tombstones + 1 > this.capacity * LOAD)
      this.rehash(this.size + 1 > (this.capacity * LOAD) / 2 ? Math.ceil(this.capacity * 1.5) : this.capacity);
    let slot = hash % this.capacity;
    while ((this.hashes[slot] as number) > GONE) slot = slot + 1 === this.capacity ? 0 : slot + 1;
    if (this.hashes[slot] === GONE) this.tombstones--;
    this.hashes[slot] = hash;
    this.offsets[slot] = this.store(length);
    this.values[slot] = value;
    this.size++;
    return undefined;
  }

  /** Room for `count` names without growing: a table grown from small is rebuilt a dozen times on the way to 100k. */
  reserve(count: number): void {
    if (count > this.capacity * LOAD) this.rehash(Math.ceil(count / LOAD) + 1);
  }

  delete(name: string): boolean {
    const length = this.encode(name);
    const slot = this.find(length, this.hashOf(length));
    if (slot < 0) return false;
    this.forget(slot);
    return true;
  }

  /** Each value replaced by `change(value)` in place, or the name deleted where it gives undefined. */
  mapValues(change: (value: number) => number | undefined): void {
    for (let slot = 0; slot < this.capacity; slot++) {
      if ((this.hashes[slot] as number) <= GONE) continue;
      const next = change(this.values[slot] as number);
      if (next === undefined) this.forget(slot);
      else this.values[slot] = next;
    }
  }

  *entries(): Generator<[string, number]> {
    for (let slot = 0; slot < this.capacity; slot++) {
      if ((this.hashes[slot] as number) <= GONE) continue;
      const offset = this.offsets[slot] as number;
      const chunk = this.chunks[offset >>> CHUNK_BITS] as Buffer;
      const at = offset & (CHUNK - 1);
      yield [chunk.toString("utf8", at + 2, at + 2 + chunk.readUInt16LE(at)), this.values[slot] as number];
    }
  }

  private newValues(capacity: number): Float64Array | Int32Array {
    return this.wide ? new Float64Array(capacity) : new Int32Array(capacity);
  }

  private forget(slot: number): void {
    this.hashes[slot] = GONE;
    this.tombstones++;
    this.size--;
  }

  /**
   * The name's bytes into `scratch`; their count. Names are nearly always ASCII, copied here a unit a
   * byte: a call into Buffer's native write costs more than the copy of a short name (a no-op re-run
   * of 100k names makes 300k of these). Anything else is UTF-8 encoded by Buffer.
   */
  private encode(name: string): number {
    const length = name.length;
    if (length * 3 > this.scratch.length) this.scratch = Buffer.allocUnsafe(length * 3);
    const scratch = this.scratch;
    for (let i = 0; i < length; i++) {
      const unit = name.charCodeAt(i);
      if (unit > 0x7f) return scratch.write(name, 0, "utf8");
      scratch[i] = unit;
    }
    return length;
  }

  /** FNV-1a over the bytes, never EMPTY or GONE. */
  private hashOf(length: number): number {
    let h = (2166136261 ^ this.seed) >>> 0;
    for (let i = 0; i < length; i++) h = Math.imul(h ^ (this.scratch[i] as number), 16777619) >>> 0;
    return h > GONE ? h : h + 2;
  }

  private find(length: number, hash: number): number {
    for (let slot = hash % this.capacity; ; slot = slot + 1 === this.capacity ? 0 : slot + 1) {
      const held = this.hashes[slot] as number;
      if (held === EMPTY) return -1;
      if (held === hash && this.sameBytes(this.offsets[slot] as number, length)) return slot;
    }
  }

  private sameBytes(offset: number, length: number): boolean {
    const chunk = this.chunks[offset >>> CHUNK_BITS] as Buffer;
    const at = offset & (CHUNK - 1);
    if (chunk.readUInt16LE(at) !== length) return false;
    // A short name is compared here, for the reason encode() copies it here.
    if (length > SHORT) return chunk.compare(this.scratch, 0, length, at + 2, at + 2 + length) === 0;
    const scratch = this.scratch;
    for (let i = 0; i < length; i++) if (chunk[at + 2 + i] !== scratch[i]) return false;
    return true;
  }

  private store(length: number): number {
    if (length + 2 > CHUNK) throw new RangeError("name too long for the index");
    if (this.used + length + 2 > CHUNK) {
      if (this.chunks.length === 1 << (32 - CHUNK_BITS)) throw new RangeError("name index full");
      this.chunks.push(Buffer.allocUnsafe(CHUNK));
      this.used = 0;
    }
    const number = this.chunks.length - 1;
    const chunk = this.chunks[number] as Buffer;
    chunk.writeUInt16LE(length, this.used);
    if (length > SHORT) this.scratch.copy(chunk, this.used + 2, 0, length);
    else for (let i = 0, to = this.used + 2; i < length; i++) chunk[to + i] = this.scratch[i] as number;
    const offset = number * CHUNK + this.used;
    this.used += length + 2;
    return offset;
  }

  private rehash(capacity: number): void {
    const { hashes, offsets, values } = this;
    this.capacity = capacity;
    this.hashes = new Uint32Array(capacity);
    this.offsets = new Uint32Array(capacity);
    this.values = this.newValues(capacity);
    this.tombstones = 0;
    for (let old = 0; old < hashes.length; old++) {
      const hash = hashes[old] as number;
      if (hash <= GONE) continue;
      let slot = hash % capacity;
      while (this.hashes[slot] !== EMPTY) slot = slot + 1 === capacity ? 0 : slot + 1;
      this.hashes[slot] = hash;
      this.offsets[slot] = offsets[old] as number;
      this.values[slot] = values[old] as number;
    }
  }
}
