import { usageError } from "../../core/errors.js";
import { DEFAULT_GENERATOR } from "../generators.js";
import { type Strategy, type StrategyOptions, storeOnly } from "./types.js";

/** The value is only stored; `--test-command` (run by the rotation for every strategy) is its test. */
export function genericStrategy(options: StrategyOptions): Strategy {
  if (options.db || options.role || options.bits) throw usageError("BAD_OPTION", "--db, --role and --bits need --strategy postgres, postgres-alternating or jwt");
  return { ...storeOnly, name: "generic", defaultGenerator: DEFAULT_GENERATOR, settings: {}, notes: () => ({ strategy: "generic" }) };
}
