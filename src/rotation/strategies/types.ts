import type { Generator } from "../generators.js";
import type { RotationVersion } from "../types.js";

export const STRATEGY_NAMES = ["generic", "jwt", "postgres", "postgres-alternating"] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/** Flags a strategy may read. Others are ignored: they may come from SECRETS_* twins meant for another command. */
export interface StrategyOptions {
  readonly db?: string;
  readonly role?: string;
  readonly bits?: string;
}

export interface StrategyContext {
  readonly name: string;
  readonly current: RotationVersion;
  readonly previous?: RotationVersion;
}

/**
 * Where a rotated value is used. `set` applies the pending value there, `test` proves it works,
 * `undo` puts back what `set` changed. `set` and `undo` must be safe to repeat: a re-run after a
 * crash calls them again with the same pending value.
 */
export interface Strategy {
  readonly name: StrategyName;
  readonly defaultGenerator: string;
  /** Non-secret settings journalled at run start; a resumed run must be given the same ones. */
  readonly settings: Readonly<Record<string, string>>;
  /** What `undo` puts back, for messages; absent when `set` changes nothing outside the store. */
  readonly undoes?: string;
  /** Throws a usage error when the generator cannot make a suitable value. */
  checkGenerator(generator: Generator): void;
  /** Read-only checks before the first write (connection, role, shape of the current value). */
  prepare(ctx: StrategyContext): Promise<void>;
  /** The value to store, from a freshly generated one (alternating wraps it with the username). */
  pendingValue(generated: string, ctx: StrategyContext): string;
  set(pending: string, ctx: StrategyContext): Promise<void>;
  test(pending: string, ctx: StrategyContext): Promise<void>;
  undo(pending: string, ctx: StrategyContext): Promise<void>;
  /** Recorded on the secret at promotion, for `cleanup`. Never a value. */
  notes(pending: string, ctx: StrategyContext): Record<string, string>;
  close(): Promise<void>;
}

/** The do-nothing parts shared by strategies that only store the value. */
export const storeOnly = {
  checkGenerator: () => {},
  prepare: async () => {},
  pendingValue: (generated: string) => generated,
  set: async () => {},
  test: async () => {},
  undo: async () => {},
  close: async () => {},
};
