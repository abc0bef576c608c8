export type Confidence = "high" | "medium" | "low";

export const CONFIDENCES: readonly Confidence[] = ["high", "medium", "low"];

/** Where a finding sits: a span of a text file (1-based lines and UTF-16 columns) or a database cell. */
export type FindingLocation =
  | { readonly kind: "file"; readonly path: string; readonly line: number; readonly column: number; readonly endLine: number; readonly endColumn: number }
  | { readonly kind: "cell"; readonly table: string; readonly column: string; readonly keyColumn: string; readonly row: string };

/**
 * One plaintext secret, as every report shows it. It holds no value: `preview` is the masked form,
 * `fingerprint` an HMAC that only the baseline compares.
 */
export interface Finding {
  readonly rule: string;
  readonly confidence: Confidence;
  readonly location: FindingLocation;
  /** The name the value is assigned to (`API_KEY`, `db/password`, a column), when there is one. */
  readonly key: string | undefined;
  readonly preview: string;
  readonly fingerprint: string;
  /** How `secrets migrate` would move it (see suggest.ts for the command). */
  readonly move: Move;
}

export type Move =
  /** A key `migrate --from <file>` reads, by the name migrate gives it. */
  | { readonly kind: "file"; readonly from: string; readonly name: string }
  /** `db` is the URL with its password hidden. */
  | { readonly kind: "cell"; readonly db: string; readonly table: string; readonly column: string; readonly keyColumn: string }
  /** In a file migrate cannot read: into .env by hand first, under `name`. */
  | { readonly kind: "by-hand"; readonly name: string };

/**
 * A detector's raw result, the only place a value lives: it is turned into a `Finding` (masked,
 * fingerprinted) as soon as its location is known, and dropped.
 */
export interface Hit {
  readonly rule: string;
  readonly confidence: Confidence;
  readonly value: string;
  /** Offsets of the secret in the text handed to the detector. */
  readonly start: number;
  readonly end: number;
  readonly key: string | undefined;
  /** Set when the masked value alone would say too little (a URL shows with its password hidden). */
  readonly preview?: string;
  /** Whether the value is random enough that an HMAC of it can be kept in a committed file. */
  readonly random: boolean;
}

export const describeLocation = (l: FindingLocation): string =>
  l.kind === "file" ? `${l.path}:${l.line}:${l.column}` : `${l.table}.${l.column}[key=${l.row}]`;
