import { createRequire } from "node:module";
import type * as Yaml from "yaml";

const load = createRequire(import.meta.url);

/** `yaml` is ~70 CommonJS files (~20 ms): loaded by the first command that reads YAML, not by every start. */
export const yaml = (): typeof Yaml => load("yaml") as typeof Yaml;
