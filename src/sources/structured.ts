import { usageError } from "../core/errors.js";
import { parseJsonTree } from "./json-tree.js";
import { at } from "./origin.js";
import type { TreeEntry } from "./tree.js";
import type { SourceEntry, SourceWarning } from "./types.js";
import { parseYamlTree } from "./yaml-tree.js";

export type StructuredFormat = "json" | "yaml";

/**
 * Nested keys join with `/`. Numbers and booleans keep the text written (`0012`, `1.10`), never
 * reformatted. Arrays and nulls come out `refused`, stopping a run only if the selection keeps them.
 */
export function parseStructured(text: string, file: string, format: StructuredFormat): { entries: SourceEntry[]; warnings: SourceWarning[] } {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const root = format === "json" ? parseJsonTree(body, file) : parseYamlTree(body, file);
  if (root.kind !== "map") {
    throw usageError("SOURCE_INVALID", `${file}: the top level must be ${format === "json" ? "an object" : "a mapping"} of keys to values`);
  }
  const entries = new Map<string, SourceEntry>();
  const warnings: SourceWarning[] = [];
  flatten(root.entries, "", file, entries, warnings);
  return { entries: [...entries.values()], warnings };
}

function flatten(items: readonly TreeEntry[], prefix: string, file: string, out: Map<string, SourceEntry>, warnings: SourceWarning[]): void {
  for (const { key, line, node } of items) {
    const path = prefix === "" ? key : `${prefix}/${key}`;
    const where = at({ source: file, line });
    if (key === "") {
      throw usageError("SOURCE_INVALID", `${where}: an empty key ${prefix === "" ? "at the top level" : `under ${prefix}`}; every key needs a name`);
    }
    if (node.kind === "map") {
      if (node.entries.length === 0) warnings.push({ source: file, line, message: `key ${path} is an empty object; nothing to migrate from it` });
      flatten(node.entries, path, file, out, warnings);
    } else if (node.kind === "scalar") {
      remember(out, warnings, path, line, { key: path, value: node.text, origin: { source: file, line } });
    } else {
      const what = node.kind === "list" ? "an array" : node.kind === "null" ? "null" : node.what;
      remember(out, warnings, path, line, {
        key: path,
        value: "",
        origin: { source: file, line },
        refused: `key ${path} is ${what}; only strings, numbers and booleans can be secrets`,
      });
    }
  }
}

function remember(out: Map<string, SourceEntry>, warnings: SourceWarning[], path: string, line: number | undefined, entry: SourceEntry): void {
  const earlier = out.get(path);
  if (earlier) {
    const lines = `lines ${earlier.origin.line ?? "?"} and ${line ?? "?"}`;
    warnings.push({ source: entry.origin.source, line, message: `key ${path} is given twice (${lines}); the later one wins` });
  }
  out.set(path, entry);
}
