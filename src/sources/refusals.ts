import { type CliError, usageError } from "../core/errors.js";
import { at } from "./origin.js";
import type { SourceWarning } from "./types.js";

/** A lenient decode would turn bad bytes into U+FFFD and migrate a value that was never in the file. */
export const notUtf8 = (label: string): CliError => usageError("SOURCE_INVALID", `${label}: is not valid UTF-8`, "save the file as UTF-8");

/** `--strict`: the first warning refuses the file; `more` says how many followed it, where that is known. */
export const strictRefusal = (first: SourceWarning, more = ""): CliError =>
  usageError("SOURCE_INVALID", `${at(first)}: ${first.message}${more}`, "fix the file, or run without --strict to skip what cannot be read");
