import { CliError, ExitCode, usageError } from "../../core/errors.js";
import type { Generator } from "../generators.js";
import { type Strategy, type StrategyOptions, storeOnly } from "./types.js";

const BITS = ["256", "384", "512"];

/** At least as many random bits as the hash (RFC 7518 §3.2); the previous key stays readable so old tokens still verify. */
export function jwtStrategy(options: StrategyOptions): Strategy {
  const bits = options.bits ?? "256";
  if (!BITS.includes(bits))
    throw usageError("BAD_OPTION", `--bits must be 256, 384 or 512, got "${bits}"`, "HS256, HS384 and HS512 need 256, 384 and 512 bits");
  const need = Number(bits);
  return {
    ...storeOnly,
    name: "jwt",
    defaultGenerator: `base64:${need / 8}`,
    settings: { bits },
    checkGenerator(generator: Generator) {
      if (generator.entropyBits !== undefined && generator.entropyBits < need) {
        throw usageError(
          "WEAK_GENERATOR",
          `--generator ${generator.label} gives about ${generator.entropyBits} random bits; HS${bits} needs ${need}`,
          `use base64:${need / 8} or hex:${need / 8}`,
        );
      }
    },
    pendingValue(generated: string) {
      // A command generator's strength is unknown; at least refuse a key shorter than the hash.
      if (Buffer.byteLength(generated, "utf8") < need / 8) {
        throw new CliError("WEAK_VALUE", `the generated key is shorter than ${need / 8} bytes`, {
          exitCode: ExitCode.failed,
          hint: `HS${bits} needs at least ${need / 8} random bytes`,
        });
      }
      return generated;
    },
    notes: () => ({ strategy: "jwt", bits }),
  };
}
