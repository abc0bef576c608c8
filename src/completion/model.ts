import { COMMANDS, takesValue } from "../config/options.js";
import { POLICY_COMMANDS } from "../providers/descriptor.js";
import { PROVIDER_NAMES } from "../providers/index.js";

/** What a word completes to: fixed words, the store's names, file paths, or nothing to offer. */
export type Values = { readonly words: readonly string[] } | "names" | "files" | "none";

export interface CompletedCommand {
  /** `migrate`, or `export k8s` for a group's command. */
  readonly name: string;
  readonly description: string;
  readonly flags: readonly { readonly flag: string; readonly description: string; readonly values?: Values }[];
  /** The first positional argument. */
  readonly first: Values;
}

export const SHELLS = ["bash", "zsh", "fish"] as const;

const providers: Values = { words: PROVIDER_NAMES };

/** A flag's values: its choices, or what its key means across commands. */
function valuesOf(key: string, choices: readonly string[] | undefined): Values {
  if (choices) return { words: choices };
  if (key === "--provider") return providers;
  if (key === "--only") return "names";
  if (key === "--for") return { words: POLICY_COMMANDS };
  return "files";
}

function firstOf(args: string | undefined): Values {
  const first = args?.split(" ")[0];
  if (first === "<provider>" || first === "[provider]") return providers;
  if (first === "<name>" || first === "[name]") return "names";
  if (first === "<shell>") return { words: SHELLS };
  if (first === "[source]" || first === "[paths...]") return "files";
  return "none";
}

/** Every command as the shells see it, from the same definitions commander is built from. */
export function completionModel(): CompletedCommand[] {
  return COMMANDS.filter((c) => !c.hidden).map((c) => ({
    name: c.name,
    description: c.description,
    first: firstOf(c.args),
    flags: c.options.map((o) => {
      const flag = o.flags.split(/[ ,]/)[0] ?? o.flags;
      return { flag, description: o.description, ...(takesValue(o) ? { values: valuesOf(flag, o.choices) } : {}) };
    }),
  }));
}
