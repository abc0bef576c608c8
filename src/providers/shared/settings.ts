/** A setting or variable as given, trimmed; blank counts as unset. */
export const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v.trim() === "" ? undefined : v.trim());

/** The first of `values` that is set. */
export const firstSet = (...values: (string | undefined)[]): string | undefined => values.map(nonEmpty).find((v) => v !== undefined);
