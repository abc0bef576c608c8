import { resolve } from "node:path";
import type { Deps } from "../core/deps.js";
import { ExitCode, isCliError, usageError } from "../core/errors.js";
import { packageVersion } from "../core/version.js";
import { type Baseline, Fingerprinter, readBaseline, writeBaseline } from "../scan/baseline.js";
import type { ScanReport } from "../scan/report.js";
import { type DbScan, scanDatabase, shownRowIn } from "../scan/scan-db.js";
import { type FileScan, scanFiles } from "../scan/scan-files.js";
import { CONFIDENCES, type Confidence, type Finding } from "../scan/types.js";
import { isDotenvName } from "../scan/walk.js";
import { parseDbUrl } from "../sources/database.js";
import { Reporter } from "../ui/reporter.js";

export interface ScanOptions {
  readonly format?: "human" | "json" | "sarif" | "github";
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
  readonly color?: boolean;
  readonly stateDir?: string;
  readonly db?: string;
  readonly table?: readonly string[];
  readonly allTables?: boolean;
  readonly columns?: string;
  readonly key?: string;
  readonly full?: boolean;
  readonly sample?: number;
  readonly minConfidence?: Confidence;
  readonly gitignore?: boolean;
  readonly excludePath?: readonly string[];
  readonly baseline?: string;
  readonly writeBaseline?: string;
  readonly provider?: string;
  /** Options typed on this command line; the others came from SECRETS_* twins or secretshift.yaml. */
  readonly typed?: readonly string[];
}

/**
 * `secrets scan [paths…] [--db url --table t | --all-tables]`: plaintext secrets in files and
 * columns. Reads only (a baseline file is the one thing it may write). Exit 1 when something is
 * reported, 0 when clean or when the findings were just written to a baseline.
 */
export async function scan(paths: readonly string[], options: ScanOptions, deps: Deps): Promise<number> {
  // 1. The command line, checked before anything is read.
  const format = checkOptions(paths, options);
  const reporter = new Reporter(deps, { json: format !== "human", quiet: options.quiet, verbose: options.verbose, color: options.color });
  const provider = options.provider ?? "<provider>";

  // 2. The baseline: its salt keys every fingerprint, so it is read first.
  const baseline = options.baseline ? await readBaseline(resolve(deps.cwd, options.baseline), options.baseline) : undefined;
  const target = options.writeBaseline ? resolve(deps.cwd, options.writeBaseline) : undefined;
  const previous = target && !baseline ? await readBaseline(target, options.writeBaseline ?? "").catch(() => undefined) : undefined;
  const salt = baseline?.salt ?? previous?.salt ?? deps.randomBytes(32);
  const fingerprints = new Fingerprinter(salt);

  // 3. Files (the given paths, or the working directory unless --db was typed alone), then columns.
  const dbTyped = options.typed?.includes("db") ?? false;
  let files: FileScan | undefined;
  if (paths.length > 0 || !dbTyped) {
    files = await scanFiles(
      {
        cwd: deps.cwd,
        paths,
        stateDir: resolve(deps.cwd, options.stateDir ?? ".secrets"),
        gitignore: options.gitignore !== false,
        exclude: options.excludePath ?? [],
        fingerprints,
      },
      // A live counter at a terminal only: in CI a scan is short and its log stays quiet.
      (n) => reporter.fancy && reporter.progress(`scanning: ${n} files`),
    );
    reporter.clearProgress();
    noteSkippedDotenv(files, reporter);
  }
  let database: DbScan | undefined;
  if (options.db && (options.table?.length || options.allTables)) database = await scanTables(options, options.db, deps.cwd, fingerprints, reporter);
  // SECRETS_DB set for migrate, with no table to scan: the files are scanned, the database is not.
  else if (options.db) reporter.info("note: SECRETS_DB names a database but no table: its columns were not scanned (add --table <t> or --all-tables)");

  // 4. What is reported: at or above --min-confidence, and not accepted by the baseline.
  const floor = CONFIDENCES.indexOf(options.minConfidence ?? "low");
  const all = [...(files?.findings ?? []), ...(database?.findings ?? [])].filter((f) => CONFIDENCES.indexOf(f.confidence) <= floor);
  const reported = baseline ? all.filter((f) => !baseline.accepted.has(f.fingerprint)) : all;

  // 5. A baseline to write accepts everything found now.
  if (target) await writeBaseline(target, salt, all).catch(unwritable(options.writeBaseline ?? ""));

  // 6. The report, in the chosen format.
  const report: ScanReport = {
    findings: target ? [] : reported,
    provider,
    files: files && { scanned: files.scanned, skipped: files.skipped },
    database: database && { tables: database.tables, skipped: database.skipped },
    baseline: baseline && options.baseline ? { path: options.baseline, ...acceptance(baseline, all) } : undefined,
    wroteBaseline: target ? { path: options.writeBaseline ?? "", count: all.length } : undefined,
  };
  await render(report, format, reporter, deps);
  return report.findings.length > 0 ? ExitCode.failed : ExitCode.ok;
}

/**
 * Mistakes are judged on what was typed: a SECRETS_TABLE or SECRETS_KEY kept in CI for `migrate` must not
 * make a plain `secrets scan` fail.
 */
function checkOptions(paths: readonly string[], options: ScanOptions): NonNullable<ScanOptions["format"]> {
  if (options.json && options.format !== undefined && options.format !== "json")
    throw usageError("BAD_OPTION", `--json and --format ${options.format} disagree`);
  const typed = new Set(options.typed ?? []);
  const flags: Record<string, string> = { table: "--table", allTables: "--all-tables", columns: "--columns", key: "--key", full: "--full" };
  const used = Object.keys(flags).filter((name) => typed.has(name));
  if (!options.db && used.length > 0)
    throw usageError("BAD_OPTION", `${used.map((n) => flags[n]).join(", ")} need --db`, "e.g. secrets scan --db postgres://app@db/app --all-tables");
  if (typed.has("db") && !options.table?.length && !options.allTables)
    throw usageError("BAD_OPTION", "--db needs --table <name> or --all-tables", "name the tables to scan, or let the catalog list them");
  if (options.table?.length && options.allTables) throw usageError("BAD_OPTION", "--table and --all-tables exclude each other");
  if ((typed.has("columns") || typed.has("key")) && (options.table?.length ?? 0) !== 1)
    throw usageError("BAD_OPTION", "--columns and --key go with exactly one --table");
  if (options.provider !== undefined && !/^[a-z0-9-]+$/.test(options.provider))
    throw usageError("BAD_OPTION", `--provider "${options.provider}" is not a provider name`);
  if (paths.some((p) => p === "")) throw usageError("BAD_OPTION", "an empty path was given");
  return options.json ? "json" : (options.format ?? "human");
}

async function scanTables(options: ScanOptions, db: string, cwd: string, fingerprints: Fingerprinter, reporter: Reporter): Promise<DbScan> {
  const dbUrl = parseDbUrl(db);
  // Columns and a key belong to one table; with several (or all) each table's catalog says.
  const one = options.table?.length === 1;
  const columns = one
    ? options.columns
        ?.split(",")
        .map((c) => c.trim())
        .filter(Boolean)
    : undefined;
  const result = await scanDatabase(
    {
      // A SQLite path is relative to the working directory the command was given, like every other path.
      url: dbUrl.kind === "sqlite" ? `sqlite:${resolve(cwd, dbUrl.path)}` : db,
      typedUrl: db,
      tables: options.table ?? [],
      allTables: Boolean(options.allTables),
      columns,
      key: one ? options.key : undefined,
      full: Boolean(options.full),
      sample: options.sample ?? 1000,
      fingerprints,
    },
    (message) => reporter.warn(shownRowIn(message)),
  );
  for (const s of result.skipped) if (!s.expected) reporter.warn(`table ${s.table} not scanned: ${s.reason}`);
  return result;
}

/** Dotenv files are where plaintext secrets usually live, and usually gitignored: say which were left out. */
function noteSkippedDotenv(files: FileScan, reporter: Reporter): void {
  const dotenv = files.skipped.filter((s) => s.reason === "gitignored" && isDotenvName(s.path)).map((s) => s.path);
  if (dotenv.length === 0) return;
  const shown = dotenv.slice(0, 5).join(", ") + (dotenv.length > 5 ? ", …" : "");
  reporter.info(`note: ${dotenv.length} gitignored dotenv file(s) not scanned (${shown}); name them (secrets scan ${dotenv[0]}) or pass --no-gitignore`);
}

function acceptance(baseline: Baseline, all: readonly Finding[]): { accepted: number; unseen: number } {
  const met = new Set(all.map((f) => f.fingerprint).filter((f) => baseline.accepted.has(f)));
  return { accepted: all.filter((f) => baseline.accepted.has(f.fingerprint)).length, unseen: baseline.accepted.size - met.size };
}

const unwritable = (shown: string) => (e: unknown) => {
  if (isCliError(e)) throw e;
  throw usageError("BASELINE_UNWRITABLE", `${shown}: cannot be written (${(e as NodeJS.ErrnoException).code ?? "unknown error"})`);
};

async function render(report: ScanReport, format: NonNullable<ScanOptions["format"]>, reporter: Reporter, deps: Deps): Promise<void> {
  if (format === "json") return reporter.json((await import("../scan/report.js")).jsonDocument(report));
  if (format === "sarif") {
    return reporter.json((await import("../scan/report-sarif.js")).sarifDocument(report, packageVersion(), deps.cwd));
  }
  const { summaryLine, humanReport } = await import("../scan/report-human.js");
  if (format === "github") {
    for (const line of (await import("../scan/report-github.js")).githubAnnotations(report)) deps.stdout.write(`${line}\n`);
    return reporter.info(summaryLine(report));
  }
  reporter.out(humanReport(report, reporter.paint));
}
