import type { LineCounter, Pair, Scalar, YAMLMap } from "yaml";
import { yaml } from "../core/yaml.js";
import type { FileScrubMode, MigratedLine, ScrubbedText } from "./dotenv-scrub.js";
import { parseStructured, type StructuredFormat } from "./structured.js";

/** A key written in the file (not merged in, not behind an alias) whose value is a scalar. */
interface Written {
  readonly map: YAMLMap;
  readonly pair: Pair;
  readonly scalar: Scalar;
  readonly key: string;
  readonly path: string;
  readonly line: number | undefined;
  readonly text: string;
}

/**
 * YAML goes through the `yaml` package's document API (comments and order kept, the document
 * re-printed); JSON is edited in place at the offsets the parser reports, so every other byte stays.
 * Every written assignment of a key is edited, as for `.env`, and the result is parsed again and
 * compared before anyone writes it.
 */
export function scrubStructuredText(text: string, migrated: readonly MigratedLine[], mode: FileScrubMode, format: StructuredFormat): ScrubbedText {
  const bom = text.startsWith("\uFEFF") ? "\uFEFF" : "";
  const body = text.slice(bom.length);
  const { LineCounter, parseDocument, isMap } = yaml();
  const lines = new LineCounter();
  const doc = parseDocument(body, { lineCounter: lines, uniqueKeys: false, prettyErrors: false, merge: true });
  const written = isMap(doc.contents) ? writtenKeys(doc.contents, "", lines) : [];
  const targets = new Map<Written, string>();
  const references = new Map<string, string>();
  const skipped: { key: string; why: string }[] = [];
  for (const m of migrated) {
    const hits = written.filter((w) => w.line === m.line && w.text === m.value);
    const hit = hits[0];
    if (!hit || hits.length > 1) {
      skipped.push({ key: `line ${m.line}`, why: hit ? "another key on its line holds the same value" : "changed since it was read" });
      continue;
    }
    references.set(hit.path, m.reference);
    for (const w of written.filter((x) => x.map === hit.map && x.key === hit.key)) targets.set(w, m.reference);
  }
  if (targets.size === 0) return { text, keys: [], skipped };
  const out = format === "json" ? editJson(body, targets, mode) : editYaml(doc, body, targets, mode);
  check(body, out, references, mode, format);
  return { text: bom + out, keys: [...references.keys()], skipped };
}

function writtenKeys(map: YAMLMap, prefix: string, lines: LineCounter): Written[] {
  const { isMap, isScalar } = yaml();
  return map.items.flatMap((pair): Written[] => {
    const k = pair.key;
    if (!isScalar(k) || typeof k.value === "symbol") return [];
    const key = typeof k.value === "string" ? k.value : (k.source ?? String(k.value));
    const path = prefix === "" ? key : `${prefix}/${key}`;
    if (isMap(pair.value)) return writtenKeys(pair.value, path, lines);
    const value = pair.value;
    if (!isScalar(value) || value.anchor) return [];
    const v = value.value;
    const text = typeof v === "string" ? v : typeof v === "number" || typeof v === "bigint" || typeof v === "boolean" ? (value.source ?? String(v)) : undefined;
    if (text === undefined) return [];
    const offset = k.range?.[0];
    const line = offset === undefined ? undefined : lines.linePos(offset).line;
    return [{ map, pair, scalar: value, key, path, line, text }];
  });
}

/** The value's scalar keeps its comments and, where the reference allows, its quoting style. */
function editYaml(doc: ReturnType<typeof import("yaml").parseDocument>, body: string, targets: ReadonlyMap<Written, string>, mode: FileScrubMode): string {
  for (const [w, reference] of targets) {
    if (mode === "remove") w.map.items = w.map.items.filter((p) => p !== w.pair);
    else Object.assign(w.scalar, { value: reference, tag: undefined, format: undefined });
  }
  return doc.toString({ indent: indentOf(body), lineWidth: 0, minContentWidth: 0 });
}

/** The file's own indentation (the smallest one used), so a re-printed document keeps its shape. */
function indentOf(body: string): number {
  const widths = [...body.matchAll(/^( +)[^\s#]/gm)].map((m) => m[1]?.length ?? 0);
  const least = Math.min(...widths);
  return Number.isFinite(least) && least <= 8 ? least : 2;
}

/** Byte edits at the parser's offsets; removed runs of entries take their commas with them. */
function editJson(body: string, targets: ReadonlyMap<Written, string>, mode: FileScrubMode): string {
  const edits: { from: number; to: number; by: string }[] = [];
  if (mode === "reference") {
    for (const [w, reference] of targets) edits.push({ ...span(w.scalar), by: JSON.stringify(reference) });
  } else {
    for (const map of new Set([...targets.keys()].map((w) => w.map))) edits.push(...removals(map, new Set([...targets.keys()].map((w) => w.pair))));
  }
  let out = body;
  for (const e of edits.sort((a, b) => b.from - a.from)) out = out.slice(0, e.from) + e.by + out.slice(e.to);
  return out;
}

function removals(map: YAMLMap, gone: ReadonlySet<unknown>): { from: number; to: number; by: string }[] {
  const items = map.items;
  const edits: { from: number; to: number; by: string }[] = [];
  if (items.every((p) => gone.has(p))) return [{ from: span(map).from + 1, to: span(map).to - 1, by: "" }];
  for (let i = 0; i < items.length; i++) {
    if (!gone.has(items[i])) continue;
    let j = i;
    while (j + 1 < items.length && gone.has(items[j + 1])) j++;
    const next = items[j + 1];
    const last = items[j] as Pair;
    if (next) edits.push({ from: span(items[i]?.key).from, to: span(next.key).from, by: "" });
    else edits.push({ from: span(items[i - 1]?.value).to, to: span(last.value).to, by: "" });
    i = j;
  }
  return edits;
}

function span(node: unknown): { from: number; to: number } {
  const range = (node as { range?: [number, number, number] } | undefined)?.range;
  if (!range) throw new Error("the JSON parser gave no position for a value; the file was left alone");
  return { from: range[0], to: range[1] };
}

function check(before: string, after: string, references: ReadonlyMap<string, string>, mode: FileScrubMode, format: StructuredFormat): void {
  const flat = (text: string) => new Map(parseStructured(text, "scrub", format).entries.map((e) => [e.key, `${e.refused ?? ""}\0${e.value}`]));
  const want = flat(before);
  for (const [path, reference] of references) {
    if (mode === "remove") want.delete(path);
    else want.set(path, `\0${reference}`);
  }
  const got = flat(after);
  const same = want.size === got.size && [...want].every(([k, v]) => got.get(k) === v);
  if (!same) throw new Error("scrub would change a value it did not mean to; the file was left alone");
}
