/** Where something came from, as people read it: `.env:12`, or just the source when there is no line. */
export const at = (o: { readonly source: string; readonly line?: number | undefined }): string => (o.line === undefined ? o.source : `${o.source}:${o.line}`);

/** The `line` property to spread into a row, present only when the origin has one. */
export const lineOf = (o: { readonly line?: number | undefined }): { line?: number } => (o.line === undefined ? {} : { line: o.line });
