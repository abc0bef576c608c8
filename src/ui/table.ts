/** Plain fixed-width table; `paint` may add colour per cell without breaking the alignment. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], paint: (col: number, cell: string) => string = (_c, s) => s): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i] ?? ""))));
  const line = (cells: readonly string[], decorate: boolean) =>
    cells
      .map((cell, i) => {
        const padded = cell + " ".repeat(Math.max(0, (widths[i] ?? 0) - visibleLength(cell)));
        return decorate ? paint(i, padded) : padded;
      })
      .join("  ")
      .trimEnd();
  return [line(header, false), ...rows.map((r) => line(r, true))].join("\n");
}

const visibleLength = (s: string) => [...s].length;
