import { open } from "node:fs/promises";
import { extname } from "node:path";
import { mask } from "../ui/mask.js";
import type { Fingerprinter } from "./baseline.js";
import { type LocatedHit, scanText } from "./scan-text.js";
import { entryFor, fileMove, migratableEntries } from "./suggest.js";
import type { Finding } from "./types.js";
import { type Skip, type WalkedFile, type WalkOptions, walk } from "./walk.js";

/** Larger files are skipped and counted: generated bundles and dumps, not configuration. */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;
/** Git's own test for a binary file: a NUL byte in the first 8,000 bytes. */
const BINARY_PROBE = 8000;

/** Source code assigns secrets in string literals; an unquoted right-hand side there is code, not a value. */
const CODE = new Set(
  (
    "js mjs cjs jsx ts mts cts tsx py rb go java kt kts scala groovy cs fs php rs swift c h cc cpp hpp m mm dart lua pl r ex exs erl clj " +
    "vue svelte html htm xml css scss less json jsonc json5"
  ).split(" "),
);

export interface FileScanOptions extends WalkOptions {
  readonly fingerprints: Fingerprinter;
}

export interface FileScan {
  readonly findings: Finding[];
  readonly scanned: number;
  readonly skipped: Skip[];
}

export async function scanFiles(options: FileScanOptions, progress: (scanned: number) => void): Promise<FileScan> {
  const findings: Finding[] = [];
  const skipped: Skip[] = [];
  let scanned = 0;
  for await (const file of walk(options, (s) => skipped.push(s))) {
    const text = await readText(file, (reason) => skipped.push({ path: file.display, reason }));
    if (text === undefined) continue;
    scanned++;
    progress(scanned);
    const hits = scanText(text, { bare: !CODE.has(extname(file.absolute).slice(1).toLowerCase()) });
    if (hits.length > 0) findings.push(...toFindings(hits, text, file.display, options));
  }
  return { findings, scanned, skipped };
}

async function readText(file: WalkedFile, skip: (reason: Skip["reason"]) => void): Promise<string | undefined> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(file.absolute, "r");
    const { size } = await handle.stat();
    if (size > MAX_FILE_BYTES) return void skip("too-large");
    const bytes = await handle.readFile();
    if (bytes.subarray(0, BINARY_PROBE).includes(0)) return void skip("binary");
    const text = new TextDecoder("utf-8").decode(bytes);
    return text.startsWith("\uFEFF") ? text.slice(1) : text;
  } catch {
    return void skip("unreadable");
  } finally {
    await handle?.close();
  }
}

function toFindings(hits: readonly LocatedHit[], text: string, path: string, options: FileScanOptions): Finding[] {
  const entries = migratableEntries(text, path);
  return hits.map((hit) => {
    const entry = entries && entryFor(entries, hit.line, hit.value);
    const key = entry?.key ?? hit.key;
    return {
      rule: hit.rule,
      confidence: hit.confidence,
      location: { kind: "file", path, line: hit.line, column: hit.column, endLine: hit.endLine, endColumn: hit.endColumn },
      key,
      preview: hit.preview ?? mask(hit.value),
      fingerprint: options.fingerprints.of({
        rule: hit.rule,
        place: key === undefined ? path : `${path}#${key}`,
        value: hit.value,
        random: hit.random,
        ...(key === undefined ? { line: hit.line } : {}),
      }),
      move: fileMove(path, entry, hit.key, hit.rule),
    };
  });
}
