/**
 * A JSON or YAML document reduced to what flattening needs: the shape, the exact text of each
 * scalar, and the line each key sits on. Both parsers produce it, so one flattener serves both.
 */
export type TreeNode =
  | { readonly kind: "map"; readonly entries: readonly TreeEntry[] }
  | { readonly kind: "list" }
  | { readonly kind: "null" }
  /** `text` is the decoded string, or a number's or boolean's exact source (`0012`, `1.10`, `1e3`). */
  | { readonly kind: "scalar"; readonly text: string }
  | { readonly kind: "other"; readonly what: string };

export interface TreeEntry {
  readonly key: string;
  readonly line: number | undefined;
  readonly node: TreeNode;
}
