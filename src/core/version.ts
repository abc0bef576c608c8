import { createRequire } from "node:module";

/** Set by the bundler (scripts/build-cli.mjs): the CLI then reads no package.json to know its version. */
declare const SECRETSHIFT_VERSION: string | undefined;

/**
 * secretshift's own version. Unbundled, it is named through the package itself (package.json `exports`
 * lists it), not by a path relative to this file, which differs between src/, dist/ and the bundle.
 */
export const packageVersion = (): string =>
  typeof SECRETSHIFT_VERSION === "string" ? SECRETSHIFT_VERSION : (createRequire(import.meta.url)("secretshift/package.json") as { version: string }).version;
