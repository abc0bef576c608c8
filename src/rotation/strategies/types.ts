import type { Generator } from "../generators.js";
import type { RotationVersion } from "../types.js";

export const STRATEGY_NAMES = ["generic", "jwt", "postgres", "postgres-alternating"] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/** Others are ignored: they may come from SECRETS_* twins meant for another command. */
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

/** Where a rotated value is used. `set` and `undo` must be safe to repeat: a re-run after a crash calls them again. */
export interface Strategy {
  readonly name: StrategyName;
  readonly defaultGenerator: string;
  /** Journalled at run start; a resumed run must be given the same ones. */
  readonly settings: Readonly<Record<string, string>>;
  /** Absent when `set` changes nothing outside the store. */
  readonly undoes?: string;
  checkGenerator(generator: Generator): void;
  /** Read-only checks before the first write. */
  prepare(ctx: StrategyContext): Promise<void>;
  pendingValue(generated: string, ctx: StrategyContext): string;
  set(pending: string, ctx: StrategyContext): Promise<void>;
  test(pending: string, ctx: StrategyContext): Promise<void>;
  undo(pending: string, ctx: StrategyContext): Promise<void>;
  /** For `cleanup`. Never a value. */
  notes(pending: string, ctx: StrategyContext): Record<string, string>;
  close(): Promise<void>;
}

export const storeOnly = {
  checkGenerator: () => {},
  prepare: async () => {},
  pendingValue: (generated: string) => generated,
  set: async () => {},
  test: async () => {},
  undo: async () => {},
  close: async () => {},
};
