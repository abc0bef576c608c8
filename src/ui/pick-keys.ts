import type { Deps } from "../core/deps.js";
import { at } from "../sources/origin.js";
import { digits } from "./digits.js";
import { isCancelled } from "./prompts.js";
import type { RenderedItem } from "./render-plan.js";
import { themeFor } from "./theme.js";

const WRITES: ReadonlySet<string> = new Set(["create", "update"]);

/** A checkbox longer than this is no help: the filter flags are. */
export const MAX_TICKS = 200;

export interface Picking {
  readonly yes?: boolean;
  readonly json?: boolean;
  readonly color?: boolean;
  readonly scrub?: string;
}

/**
 * Whether a live migrate at a terminal lets the user untick keys: only with something to choose
 * (two writes or more) and no scrub, whose planned lines and cells are counted before the question.
 */
export function pickable(deps: Deps, o: Picking, writes: number): "yes" | "too many" | "no" {
  if (!deps.interactive || o.yes || o.json || writes < 2 || (o.scrub ?? "none") !== "none") return "no";
  return writes <= MAX_TICKS ? "yes" : "too many";
}

export const tooManyToPick = (writes: number) =>
  `${digits(writes)} changes are too many to tick one by one; to leave keys out, run again with --only or --exclude`;

/** The names to create or update, all ticked; returns the ones the user unticked, `undefined` on Ctrl-C or Esc. */
export async function untickedNames(deps: Deps, o: Picking, items: readonly RenderedItem[]): Promise<string[] | undefined> {
  const writes = items.filter((i) => WRITES.has(i.action));
  const choices = writes.map((i) => ({ name: `${i.name} (${i.action}, ${at(i)})`, value: i.name, checked: true }));
  const theme = themeFor(deps.stderr, { env: deps.env, flag: o.color });
  const ticked = await deps.prompt.checkbox("Which keys should this run write?", choices, theme).catch((e: unknown) => {
    if (isCancelled(e)) return undefined;
    throw e;
  });
  if (ticked === undefined) return undefined;
  const kept = new Set(ticked);
  return writes.map((i) => i.name).filter((n) => !kept.has(n));
}
