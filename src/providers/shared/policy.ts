import type { Grants, PolicyCommand } from "../descriptor.js";
import { ANCHOR_ENTRY } from "./anchor.js";
import { PENDING_ROOT } from "./pending-names.js";

export interface Grant {
  readonly permission: string;
  /** `names`, `anchor`, `pending`, `all`, or a path template. */
  readonly where: readonly string[];
}

/** The grants of the chosen commands, each permission once with every place it is needed. */
export function grantsFor(uses: Grants, commands: readonly PolicyCommand[]): string[] {
  return [...new Set(commands.flatMap((c) => uses[c] ?? []))];
}

export function parseGrants(grants: readonly string[]): Grant[] {
  const merged = new Map<string, Set<string>>();
  for (const grant of grants) {
    const [permission = "", where = "all"] = grant.split(" ");
    const places = merged.get(permission) ?? new Set<string>();
    for (const place of where.split(",")) places.add(place);
    merged.set(permission, places);
  }
  return [...merged].map(([permission, where]) => ({ permission, where: [...where] }));
}

/** Glob patterns for each place, in the provider's own spelling of a name (`toStored`). */
export type Places = { readonly names: string; readonly anchor: string; readonly pending: string; readonly all: string };

export function places(prefix: string, toStored: (name: string) => string = (n) => n): Places {
  return {
    names: `${toStored(prefix)}*`,
    anchor: toStored(ANCHOR_ENTRY),
    pending: `${toStored(`${PENDING_ROOT}/${prefix}`)}*`,
    all: "*",
  };
}
