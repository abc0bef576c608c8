import { usageError } from "../../core/errors.js";
import { genericStrategy } from "./generic.js";
import { jwtStrategy } from "./jwt.js";
import { type PostgresEffects, postgresStrategy } from "./postgres.js";
import { postgresAlternatingStrategy } from "./postgres-alternating.js";
import { STRATEGY_NAMES, type Strategy, type StrategyName, type StrategyOptions } from "./types.js";

const registry: Record<StrategyName, (options: StrategyOptions, effects: PostgresEffects) => Strategy> = {
  generic: genericStrategy,
  jwt: jwtStrategy,
  postgres: postgresStrategy,
  "postgres-alternating": postgresAlternatingStrategy,
};

/** Validates the strategy's flags; connects nowhere until `prepare`. */
export function createStrategy(name: string, options: StrategyOptions, effects: PostgresEffects): Strategy {
  if (!(STRATEGY_NAMES as readonly string[]).includes(name))
    throw usageError("BAD_STRATEGY", `unknown strategy "${name}"`, `one of: ${STRATEGY_NAMES.join(", ")}`);
  return registry[name as StrategyName](options, effects);
}
