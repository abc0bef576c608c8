/** Precise enough for a warning or an annotation (`.env:12`). */
export interface Origin {
  readonly source: string;
  readonly line?: number;
  /** For `--name-template` (`{table}`, `{row}`, `{column}`). */
  readonly table?: string;
  readonly row?: string;
  readonly column?: string;
}

/** `key` is the source's own key (`DB_PASSWORD`, `db/password`). */
export interface SourceEntry {
  readonly key: string;
  readonly value: string;
  readonly origin: Origin;
  /** A YAML array or null; refused only if the selection keeps it. */
  readonly refused?: string;
  /** The value before the current one, where the source keeps versions and `--with-previous` asked for it. */
  readonly previous?: string;
}

export interface SourceWarning {
  readonly source: string;
  readonly line?: number;
  readonly message: string;
}

export interface SourceBatch {
  readonly entries: SourceEntry[];
  readonly warnings: SourceWarning[];
  /** On a source's first batch, when it knows cheaply: about how many entries it will give in all. */
  readonly expected?: number;
}

/** Reads only. `read()` may run twice (plan, then apply) and yields the same entries unless the data changed. */
export interface SecretSource {
  /** Never contains a password. */
  readonly label: string;
  /**
   * True when no name can repeat across its batches under this name template (undefined: the default):
   * a dotenv file's keys are distinct, a table's (row, column) pairs are.
   */
  distinctNames?(template: string | undefined): boolean;
  read(): AsyncIterable<SourceBatch>;
  close(): Promise<void>;
}
