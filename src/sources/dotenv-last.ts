import type { DotenvScan } from "./dotenv-scan.js";

/** For each key dotenv gives, the index of its last assignment (the one dotenv keeps). */
export interface LastAssignments {
  /** How many keys dotenv gives that an assignment was found for. */
  readonly size: number;
  has(key: string): boolean;
  get(key: string): number | undefined;
  /** Whether dotenv gives the key of assignment `i`. */
  keeps(key: string, i: number): boolean;
  /** Whether assignment `i` (of `key`) is the last of a key dotenv gives. */
  isLast(key: string, i: number): boolean;
  /** Each key in the order dotenv gives them (first appearance), with its last assignment's index. */
  forEach(visit: (index: number, key: string) => void): void;
}

/**
 * Nearly every file assigns each key once, in the order dotenv gives them: then assignment `i` is
 * key `i`'s last, and no map of a hundred thousand keys (~70 ms to build) is needed. Anything else
 * (a key set twice, one dotenv drops) takes the map.
 */
export function lastAssignments(scan: DotenvScan, parsed: Record<string, string>, keys: readonly string[]): LastAssignments {
  const { assignments } = scan;
  if (assignments.length === keys.length && assignments.every((a, i) => a.key === keys[i])) return new InOrder(parsed, keys);
  const last = new Map<string, number>();
  assignments.forEach((a, i) => {
    last.set(a.key, i);
  });
  for (const key of [...last.keys()]) if (!Object.hasOwn(parsed, key)) last.delete(key);
  return new ByKey(last);
}

/** Assignment `i` is the only one of `keys[i]`. */
class InOrder implements LastAssignments {
  private byKey: Map<string, number> | undefined;

  constructor(
    private readonly parsed: Record<string, string>,
    private readonly keys: readonly string[],
  ) {}

  get size(): number {
    return this.keys.length;
  }

  has(key: string): boolean {
    return Object.hasOwn(this.parsed, key);
  }

  /** Only a warning with a line asks (`--expand`'s notes): the map is built then. */
  get(key: string): number | undefined {
    this.byKey ??= new Map(this.keys.map((k, i) => [k, i]));
    return this.byKey.get(key);
  }

  keeps(): boolean {
    return true;
  }

  isLast(): boolean {
    return true;
  }

  forEach(visit: (index: number, key: string) => void): void {
    this.keys.forEach((key, i) => {
      visit(i, key);
    });
  }
}

class ByKey implements LastAssignments {
  constructor(private readonly last: Map<string, number>) {}

  get size(): number {
    return this.last.size;
  }

  has(key: string): boolean {
    return this.last.has(key);
  }

  get(key: string): number | undefined {
    return this.last.get(key);
  }

  keeps(key: string): boolean {
    return this.last.has(key);
  }

  isLast(key: string, i: number): boolean {
    return this.last.get(key) === i;
  }

  forEach(visit: (index: number, key: string) => void): void {
    this.last.forEach(visit);
  }
}
