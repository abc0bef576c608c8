import { createHash } from "node:crypto";
import type { NameCheck } from "../types.js";

const NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const ARN_LIKE_SUFFIX = /-[A-Za-z0-9/_+=.@-]{6}$/;

export function checkAwsName(name: string): NameCheck {
  if (!NAME.test(name)) return { stored: name, invalid: "AWS secret names are 1–512 characters of A-Z a-z 0-9 / _ + = . @ -" };
  if (ARN_LIKE_SUFFIX.test(name)) {
    return { stored: name, invalid: "AWS secret names must not end with a hyphen and six characters (ARNs append such a suffix)" };
  }
  return { stored: name };
}

/**
 * ClientRequestToken (which becomes the VersionId) for `name` in run `runId`: the same on every
 * retry and re-run of the run, so AWS never stores a second version, and `revert` can tell the
 * run's version from anyone else's even when the journal lost the write's outcome.
 */
export function requestToken(runId: string, name: string): string {
  const h = createHash("sha256").update(`secretshift\0${runId}\0${name}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
