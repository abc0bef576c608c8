import type { Document, LineCounter } from "yaml";
import { usageError } from "../core/errors.js";
import { yaml } from "../core/yaml.js";
import { at } from "./origin.js";
import type { TreeEntry, TreeNode } from "./tree.js";

/**
 * YAML 1.2 core schema plus `<<` merge keys (Compose, Helm). Duplicate keys pass, to be treated as
 * dotenv does. Errors give the position and code only: the package's messages quote the text.
 */
export function parseYamlTree(text: string, file: string): TreeNode {
  const { LineCounter, parseDocument } = yaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false, merge: true });
  const error = doc.errors[0];
  if (error) {
    const { line, col } = lines.linePos(error.pos[0]);
    const reason = error.code.toLowerCase().replace(/_/g, " ");
    throw usageError("SOURCE_INVALID", `${file}:${line}:${col}: not valid YAML: ${reason}`);
  }
  if (doc.contents === null) return { kind: "map", entries: [] };
  return convert(doc.contents, { doc, lines, file, open: new Set(), budget: { left: 100_000 + 10 * text.length } });
}

interface Context {
  readonly doc: Document;
  readonly lines: LineCounter;
  readonly file: string;
  /** An alias back to one of these would never end. */
  readonly open: Set<unknown>;
  /** Aliases of aliases can describe more than any file holds (a "billion laughs"). */
  readonly budget: { left: number };
}

function convert(node: unknown, context: Context): TreeNode {
  if (--context.budget.left < 0) throw usageError("SOURCE_INVALID", `${context.file}: its aliases expand to too many values`);
  if (yaml().isAlias(node)) {
    const target = node.resolve(context.doc);
    if (target === undefined || context.open.has(target)) return { kind: "other", what: "an alias that refers to itself" };
    return convert(target, context);
  }
  if (yaml().isSeq(node)) return { kind: "list" };
  if (yaml().isScalar(node)) {
    const value = node.value;
    if (value === null || value === undefined) return { kind: "null" };
    if (typeof value === "string") return { kind: "scalar", text: value };
    if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") {
      return { kind: "scalar", text: node.source ?? String(value) };
    }
    return { kind: "other", what: `a ${node.tag ?? typeof value} value` };
  }
  if (!yaml().isMap(node)) return { kind: "other", what: "an unsupported YAML node" };

  context.open.add(node);
  const explicit: TreeEntry[] = [];
  const merged: TreeEntry[] = [];
  for (const pair of node.items) {
    const keyNode = pair.key;
    const line = lineOf(keyNode, context) ?? lineOf(pair.value, context);
    if (yaml().isScalar(keyNode) && typeof keyNode.value === "symbol") {
      merged.push(...mergedEntries(pair.value, line, context));
      continue;
    }
    if (!yaml().isScalar(keyNode)) {
      const where = at({ source: context.file, line });
      throw usageError("SOURCE_INVALID", `${where}: a key that is not a plain value; keys must be text`);
    }
    const key = typeof keyNode.value === "string" ? keyNode.value : (keyNode.source ?? String(keyNode.value));
    explicit.push({ key, line, node: convert(pair.value, context) });
  }
  context.open.delete(node);
  // The YAML merge-key rule, as the `yaml` package applies it: a key written in the map wins over a
  // merged one wherever it stands, and among merged maps the first to give a key wins.
  const taken = new Set(explicit.map((e) => e.key));
  const fromMerges = merged.filter((e) => !taken.has(e.key) && Boolean(taken.add(e.key)));
  return { kind: "map", entries: [...fromMerges, ...explicit] };
}

function mergedEntries(value: unknown, line: number | undefined, context: Context): TreeEntry[] {
  const sources = yaml().isSeq(value) ? value.items : [value];
  return sources.flatMap((source) => {
    const node = convert(source, context);
    if (node.kind !== "map") {
      throw usageError("SOURCE_INVALID", `${at({ source: context.file, line })}: a merge key (<<) must refer to a mapping or a list of mappings`);
    }
    return node.entries;
  });
}

function lineOf(node: unknown, context: Context): number | undefined {
  const offset = yaml().isNode(node) ? node.range?.[0] : undefined;
  return offset === undefined ? undefined : context.lines.linePos(offset).line;
}
