import { maskCredentials } from "../ui/mask.js";
import { isCliError } from "./errors.js";

/**
 * One line for a journal entry or a plan row. Only messages our own code wrote (CliError,
 * ConflictError) or an SDK's error name/message are used; providers must not put values in them.
 */
export function describeError(error: unknown): string {
  if (isCliError(error)) return maskCredentials(error.message);
  if (error instanceof Error) {
    const name = error.name && error.name !== "Error" ? `${error.name}: ` : "";
    return maskCredentials(`${name}${error.message}`.split("\n")[0] ?? "error");
  }
  return maskCredentials(String(error).split("\n")[0] ?? "error");
}
