/** Where a secret came from, precise enough for a warning or an annotation (`.env:12`). */
export interface Origin {
  /** A file path, or `table.column[key=…]` for database cells. */
  readonly source: string;
  readonly line?: number;
  /** Extra naming context for `--name-template` (`{table}`, `{row}`, `{column}`). */
  readonly table?: string;
  readonly row?: string;
  readonly column?: string;
}

/** One secret read from a source, before naming. `key` is the source's own key (`DB_PASSWORD`, `db/password`). */
export interface SourceEntry {
  readonly key: string;
  readonly value: string;
  readonly origin: Origin;
  /** Why this entry cannot be a secret (a YAML array or null); refused only if the selection keeps it. */
  readonly refused?: string;
}

export interface SourceWarning {
  readonly source: string;
  readonly line?: number;
  readonly message: string;
}

/** One batch of a source. File sources yield a single batch; database sources stream many. */
export interface SourceBatch {
  readonly entries: SourceEntry[];
  readonly warnings: SourceWarning[];
}

/**
 * A place secrets are read from. Reading must not modify anything.
 * `read()` may be called more than once (a live run reads twice: plan everything, then apply
 * batch by batch) and must yield the same entries each time unless the data changed underneath.
 */
export interface SecretSource {
  /** Human label used in plans and errors (`.env`, `postgres://host/db businesses`). Never contains a password. */
  readonly label: string;
  read(): AsyncIterable<SourceBatch>;
  close(): Promise<void>;
}
