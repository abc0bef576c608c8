import type { Deps } from "../core/deps.js";
import { closeSources, createFileSources } from "../sources/index.js";
import { at } from "../sources/origin.js";
import type { Reporter } from "../ui/reporter.js";
import { type ReferenceOptions, referenceContext } from "./open.js";
import { resolveTemplates, type Templated } from "./resolve.js";

export interface LoadOptions extends ReferenceOptions {
  /** Files read in order (default `.env`); a key in a later file wins, as when they are loaded one after another. */
  readonly from?: readonly string[];
}

/** Each file's values exactly as dotenv.parse (or the YAML/JSON reader) gives them, references resolved. */
export async function loadResolved(deps: Deps, options: LoadOptions, reporter: Reporter): Promise<{ key: string; value: string }[]> {
  const paths = options.from?.length ? options.from : [".env"];
  const sources = createFileSources(paths, { cwd: deps.cwd });
  const byKey = new Map<string, Templated>();
  try {
    for (const source of sources)
      for await (const batch of source.read()) {
        for (const w of batch.warnings) reporter.warn(`${at(w)}: ${w.message}`);
        for (const e of batch.entries) if (e.refused === undefined) byKey.set(e.key, e);
      }
  } finally {
    await closeSources(sources);
  }
  return resolveTemplates([...byKey.values()], await referenceContext(deps, options, reporter));
}
