import { createRequire } from "node:module";

/**
 * secretshift's own version. Named through the package itself (package.json `exports` lists it), not by a
 * path relative to this file: the CLI runs from a bundle in another folder than the compiled modules.
 */
export const packageVersion = (): string => (createRequire(import.meta.url)("secretshift/package.json") as { version: string }).version;
