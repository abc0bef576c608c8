import { POLICY_COMMANDS } from "../providers/descriptor.js";
import { CliError, isCliError } from "./errors.js";

/** Every provider's access error ends its code so: `…_ACCESS_DENIED`, `…_PERMISSION_DENIED`, `…_FORBIDDEN`. */
const ACCESS = /_(ACCESS_DENIED|PERMISSION_DENIED|FORBIDDEN)$/;

/**
 * An access error names the one permission the service refused; the next run would meet the next
 * one. So its hint also gives the line that prints every permission the command needs.
 */
export function withPolicyHint(error: unknown, command: string, provider: string | undefined): unknown {
  if (!isCliError(error) || !ACCESS.test(error.code) || !(POLICY_COMMANDS as readonly string[]).includes(command)) return error;
  const line = `secrets policy ${provider ?? "<provider>"} --for ${command}`;
  const hint = error.hint ? `${error.hint}; every permission ${command} needs: ${line}` : `every permission ${command} needs: ${line}`;
  return new CliError(error.code, error.message, { exitCode: error.exitCode, hint, cause: error.cause });
}
