/** What scanning one table needs: the text-like columns to read, a row key, and about how many rows. */
export interface TablePlan {
  readonly table: string;
  readonly columns: readonly string[];
  readonly key: string;
  readonly rows: number;
}

export interface Skipped {
  readonly table: string;
  readonly reason: string;
  /** Nothing to scan there (no text columns): listed in --json, not worth a warning. */
  readonly expected?: boolean;
}

export interface Catalog {
  /** Every table a scan with `--all-tables` reads, and those it cannot. */
  tables(): Promise<{ tables: string[]; skipped: Skipped[] }>;
  /** `columns` and `key` as the user named them, or undefined to take them from the catalog. */
  plan(table: string, columns: readonly string[] | undefined, key: string | undefined): Promise<TablePlan | Skipped>;
  /** An SQL condition keeping about `fraction` of the rows. */
  sampleWhere(key: string, fraction: number): string;
  close(): Promise<void>;
}

export const isSkipped = (p: TablePlan | Skipped): p is Skipped => "reason" in p;

/** The table's own key, when it has a single-column one; otherwise the user must name a unique column. */
export const noKey = (table: string): Skipped => ({
  table,
  reason: "it has no single-column primary key (name a unique column with --table <t> --key <column>)",
});
