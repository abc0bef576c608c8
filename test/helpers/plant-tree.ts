import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { KINDS, type Rand } from "./fake-secrets.js";
import { allFiles } from "./state-files.js";

export interface Planted {
  readonly kind: string;
  readonly rule: string;
  /** Relative to the tree's root, with `/`. */
  readonly path: string;
  readonly line: number;
  readonly column: number;
  readonly value: string;
}

const MARKER = /\{\{plant:([a-z0-9-]+)\}\}/g;

/** 1-based line and UTF-16 column of an offset, counted the way an editor (and SARIF) counts them. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf("\n") + 1;
  return { line: before.split("\n").length, column: offset - lineStart + 1 };
}

/**
 * Copies a fixture tree, replacing each `{{plant:<kind>}}` with a fresh fake secret of that kind
 * (a multi-line one indented like its marker, as a YAML block scalar needs) and recording exactly
 * where each landed. `_gitignore` files become `.gitignore`: committed under their real name they
 * would hide the fixture's own files from git.
 */
export async function plantTree(from: string, to: string, rand: Rand): Promise<Planted[]> {
  const planted: Planted[] = [];
  for (const file of (await allFiles(from)).sort()) {
    const rel = relative(from, file).split(sep).join("/");
    const target = join(to, rel.replace(/(^|\/)_gitignore$/, "$1.gitignore"));
    const template = await readFile(file, "utf8");
    let out = "";
    let last = 0;
    for (const m of template.matchAll(MARKER)) {
      const kind = m[1] ?? "";
      const spec = KINDS[kind];
      if (!spec) throw new Error(`${rel}: unknown plant kind ${kind}`);
      out += template.slice(last, m.index);
      const indent = /[ \t]*$/.exec(template.slice(0, m.index).split("\n").pop() ?? "")?.[0] ?? "";
      const value = spec.make(rand);
      const { line, column } = lineColumn(out, out.length);
      planted.push({ kind, rule: spec.rule, path: rel.replace(/(^|\/)_gitignore$/, "$1.gitignore"), line, column, value });
      out += value.replaceAll("\n", `\n${indent}`);
      last = (m.index ?? 0) + m[0].length;
    }
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, out + template.slice(last));
  }
  return planted;
}
