import type { LineBody } from "../../core/store-log.js";
import type { LocalSecret } from "./document.js";
import { storeCorrupt as corrupt } from "./legacy.js";

/** What a line says of its names, parsed at open without its values: which are deletions, which have no `current`. */
export interface LineNames {
  names: string[];
  gone: number[];
  bare: number[];
}

/** A line of the secrets given, in order: `null` deletes the name. */
export function bodyOf(entries: readonly (readonly [string, LocalSecret | null])[]): LineBody {
  const names: LineNames = { names: [], gone: [], bare: [] };
  entries.forEach(([name, secret], i) => {
    names.names.push(name);
    if (secret === null) names.gone.push(i);
    else if (secret.labels.current === undefined) names.bare.push(i);
  });
  return { names: JSON.stringify(names), secrets: JSON.stringify(entries.map(([, secret]) => secret)) };
}

export function parseNames(text: string, path: string): LineNames {
  try {
    const held = JSON.parse(text) as LineNames;
    if (Array.isArray(held.names) && Array.isArray(held.gone) && Array.isArray(held.bare) && held.names.every((n) => typeof n === "string")) return held;
  } catch {
    // judged below
  }
  throw corrupt(path);
}

export function positions(names: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  names.forEach((name, i) => {
    out.set(name, i);
  });
  return out;
}
