import { DEFAULT_GENERATOR } from "../generators.js";
import { type Strategy, type StrategyOptions, storeOnly } from "./types.js";

/** The value is only stored; `--test-command` (run by the rotation for every strategy) is its test. */
export function genericStrategy(_options: StrategyOptions): Strategy {
  return { ...storeOnly, name: "generic", defaultGenerator: DEFAULT_GENERATOR, settings: {}, notes: () => ({ strategy: "generic" }) };
}
