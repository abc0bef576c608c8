import { usageError } from "../core/errors.js";
import type { ProviderSetting } from "../providers/descriptor.js";
import { DEFAULT_PROVIDER, DESCRIPTORS } from "../providers/index.js";
import { listed } from "../ui/words.js";

/** Every command and option as data: cli.ts makes commander definitions of it; the layers, `config show` and the README's twin table read it. */
export interface OptionSpec {
  readonly flags: string;
  readonly description: string;
  readonly choices?: readonly string[];
  readonly default?: string;
  readonly parse?: "positive-int" | "list";
  /** Printing a value or abandoning a rotation: no twin, no file key. */
  readonly cliOnly?: boolean;
  /** Handed to the store as `ctx.options`. */
  readonly provider?: boolean;
}

export interface CommandSpec {
  readonly name: string;
  readonly args?: string;
  readonly description: string;
  readonly options: readonly OptionSpec[];
}

/** commander's attribute name: `--kv-version` → `kvVersion`, `--no-color` → `color`. */
export const keyOf = (spec: Pick<OptionSpec, "flags">): string =>
  (spec.flags.split(/[ ,]/)[0] ?? "").replace(/^--(no-)?/, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export const takesValue = (spec: Pick<OptionSpec, "flags">): boolean => /[<[]/.test(spec.flags);

export const isNegated = (spec: Pick<OptionSpec, "flags">): boolean => spec.flags.startsWith("--no-");

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw usageError("BAD_OPTION", `expected a positive whole number, got "${value}"`);
  return n;
}

/** A key several providers read is one flag, with each one's description. */
function providerFlags(): OptionSpec[] {
  const byKey = new Map<string, { setting: ProviderSetting; uses: { provider: string; description: string }[] }>();
  for (const d of DESCRIPTORS) {
    for (const setting of d.settings) {
      const entry = byKey.get(setting.key) ?? { setting, uses: [] };
      entry.uses.push({ provider: d.name, description: setting.description });
      byKey.set(setting.key, entry);
    }
  }
  return [...byKey.values()].map(({ setting, uses }) => {
    const groups = new Map<string, string[]>();
    for (const u of uses) groups.set(u.description, [...(groups.get(u.description) ?? []), u.provider]);
    const description = [...groups].map(([text, names]) => `${names.join("/")}: ${text}`).join("; ");
    const flag = `--${setting.key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    return { flags: setting.arg ? `${flag} ${setting.arg}` : flag, description, provider: true };
  });
}

const common = (writes: boolean): OptionSpec[] => [
  { flags: "--config <file>", description: "configuration file (default secretshift.yaml if present)" },
  { flags: "--state-dir <dir>", description: "state folder (journal, backups, key)", default: ".secrets" },
  { flags: "--json", description: "print one JSON document on stdout" },
  { flags: "--quiet", description: "only errors on stderr" },
  { flags: "--verbose", description: "more detail (API calls, stack traces)" },
  { flags: "--no-color", description: "no colours" },
  {
    flags: "--format <format>",
    description: "extra CI output: github annotations and step summary (automatic when GITHUB_ACTIONS=true)",
    choices: ["human", "github"],
  },
  ...(writes
    ? [
        { flags: "--dry-run", description: "show the plan; write nothing, not even a backup" },
        { flags: "--yes", description: "do not ask for confirmation (required without a terminal)" },
        { flags: "--concurrency <n>", description: "writes in flight", parse: "positive-int" as const },
      ]
    : []),
  ...providerFlags(),
];

const sourcing: OptionSpec[] = [
  { flags: "--from <file>", description: ".env, .json or .yaml file (repeatable)", parse: "list" },
  { flags: "--expand", description: "expand $VAR references in .env values exactly as dotenv-expand does" },
  { flags: "--strict", description: "make every .env warning an error" },
  { flags: "--db <url>", description: "database: postgres://… or sqlite:<path>" },
  { flags: "--table <name>", description: "table holding the secret columns" },
  { flags: "--columns <list>", description: "comma-separated secret columns" },
  { flags: "--key <column>", description: "row id column (default id)" },
  { flags: "--where <sql>", description: "SQL filter, run in a read-only transaction" },
  { flags: "--prefix <prefix>", description: "put before every name" },
  { flags: "--name-template <template>", description: "name from {key} {table} {row} {column} {env}" },
  { flags: "--env <name>", description: "value for {env} in --name-template" },
  { flags: "--only <glob>", description: "only names matching (repeatable)", parse: "list" },
  { flags: "--exclude <glob>", description: "skip names matching (repeatable)", parse: "list" },
];

const READ_ONLY = common(false);
/** `run` and `export`: which files, and where an unqualified ${secret:NAME} lives. */
const resolving: OptionSpec[] = [
  { flags: "--config <file>", description: "configuration file (default secretshift.yaml if present)" },
  { flags: "--state-dir <dir>", description: "state folder (journal, backups, key)", default: ".secrets" },
  { flags: "--quiet", description: "only errors on stderr" },
  { flags: "--verbose", description: "more detail (API calls, stack traces)" },
  { flags: "--no-color", description: "no colours" },
  { flags: "--from <file>", description: ".env, .json or .yaml file (repeatable; a later file's key wins)", parse: "list" },
  {
    flags: "--provider <name>",
    description: `where \${secret:NAME} lives (default: SECRETS_PROVIDER, else where it was last migrated, else ${DEFAULT_PROVIDER})`,
  },
  ...providerFlags(),
];
const WRITING = common(true);
const esoNames = () => listed(DESCRIPTORS.filter((d) => d.eso).map((d) => d.name));

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "init",
    description: "create .secrets/ (0700), a local key, and a .gitignore entry",
    options: [...READ_ONLY, { flags: "--provider <name>", description: "also write a starter secretshift.yaml for this provider" }],
  },
  {
    name: "migrate",
    args: "<provider> [source]",
    description: "plan, then (unless --dry-run) apply",
    options: [
      ...WRITING,
      { flags: "--on-conflict <mode>", description: "when the vault holds a different value", choices: ["overwrite", "skip", "fail"], default: "fail" },
      {
        flags: "--scrub <mode>",
        description: `after a successful live run: --db cells to NULL or secret:<provider>:<name>; .env values to \${secret:<name>} (reference) or their lines deleted (remove)`,
        choices: ["none", "null", "reference", "remove"],
        default: "none",
      },
      { flags: "--emit-sql <file>", description: "write (never run) the DROP COLUMN migration for the --db columns" },
      ...sourcing,
    ],
  },
  {
    name: "validate",
    args: "<provider> [source]",
    description: "does the vault hold exactly what the source holds?",
    options: [
      ...READ_ONLY,
      ...sourcing,
      { flags: "--exact", description: "names in the vault but not in the source count as drift" },
      { flags: "--junit <file>", description: "also write a JUnit XML report, one test case per secret" },
    ],
  },
  {
    name: "rollback",
    args: "<provider>",
    description: "undo a run exactly",
    options: [
      ...WRITING,
      { flags: "--run <id>", description: "the run to undo" },
      { flags: "--last", description: "undo the most recent run on this provider" },
    ],
  },
  {
    name: "rotate",
    args: "[name]",
    description: "new value → pending → set → test → promote; the old one stays readable for the grace period",
    options: [
      ...WRITING,
      {
        flags: "--provider <name>",
        description: `where the secret lives (default: SECRETS_PROVIDER, else where it was last migrated, else ${DEFAULT_PROVIDER})`,
      },
      { flags: "--grace-period <duration>", description: "how long the previous value stays readable: 90s, 30m, 2h, 7d (default 24h)" },
      { flags: "--generator <spec>", description: "hex:N | base64:N | alnum:N | password:N | uuid | command:<cmd> (default base64:48)" },
      {
        flags: "--strategy <name>",
        description: "where the value is used",
        choices: ["generic", "jwt", "postgres", "postgres-alternating"],
        default: "generic",
      },
      { flags: "--test-command <cmd>", description: "must exit 0 with the new value in $SECRET_VALUE" },
      { flags: "--pass-env <name>", description: "also give the test command and command: generators this environment variable (repeatable)", parse: "list" },
      { flags: "--db <admin-url>", description: "postgres strategies: admin connection URL" },
      { flags: "--role <role>", description: "postgres strategies: the login role" },
      { flags: "--bits <n>", description: "jwt: HS256/384/512 key size", choices: ["256", "384", "512"] },
      { flags: "--abort", description: "abandon a rotation in progress: undo the set step, remove the pending version", cliOnly: true },
      { flags: "--all", description: "rotate every secret on the provider, one at a time", cliOnly: true },
      { flags: "--only <glob>", description: "only names matching (repeatable)", parse: "list" },
      { flags: "--exclude <glob>", description: "skip names matching (repeatable)", parse: "list" },
    ],
  },
  {
    name: "cleanup",
    args: "<provider>",
    description: "drop previous versions whose grace has passed, expire old roles, delete old backups",
    options: [
      ...WRITING,
      { flags: "--backups-older-than <duration>", description: "backup retention", default: "30d" },
      { flags: "--db <admin-url>", description: "postgres-alternating: admin URL to expire the old role" },
    ],
  },
  {
    name: "get",
    args: "<name>",
    description: "a secret's versions, masked; --reveal prints the value",
    options: [
      ...READ_ONLY,
      { flags: "--provider <name>", description: "where the secret lives (as for rotate)" },
      { flags: "--with-previous", description: "also the previous version and its grace end" },
      { flags: "--reveal", description: "print plaintext values (the only command that does)", cliOnly: true },
    ],
  },
  {
    name: "journal",
    args: "[action] [run-id]",
    description: "list | show <run-id> | verify | upgrade the audit journal",
    options: [...READ_ONLY, { flags: "--provider <name>", description: "verify: also check the journal anchor kept in this provider; list: only its runs" }],
  },
  { name: "providers", description: "which providers exist and how they are configured", options: READ_ONLY },
  {
    name: "run",
    args: "<command...>",
    description: `resolve \${secret:…} and \${env:…} references, then start the command with the values in its environment`,
    options: resolving,
  },
  {
    name: "export",
    description: "resolved values on stdout (dotenv, json, shell) or into $GITHUB_ENV (github)",
    options: [
      ...resolving,
      { flags: "--format <format>", description: "export: dotenv, json, shell or github", choices: ["dotenv", "json", "shell", "github"] },
      { flags: "--reveal", description: "print the values even when stdout is a terminal", cliOnly: true },
    ],
  },
  {
    name: "export k8s",
    args: "[source]",
    description: "External Secrets Operator manifests (SecretStore + ExternalSecret) for a migrate's secrets",
    options: [
      ...READ_ONLY,
      ...sourcing,
      { flags: "--provider <name>", description: `where the secrets were migrated: ${esoNames()}` },
      { flags: "--output <file>", description: "write the manifests to this file instead of stdout" },
    ],
  },
  {
    name: "scan",
    args: "[paths...]",
    description: "find plaintext secrets in files and database columns; exit 1 when something is found",
    options: [
      { flags: "--config <file>", description: "configuration file (default secretshift.yaml if present)" },
      { flags: "--state-dir <dir>", description: "state folder, never scanned", default: ".secrets" },
      { flags: "--format <format>", description: "human, json, sarif (code scanning) or github (annotations)", choices: ["human", "json", "sarif", "github"] },
      { flags: "--json", description: "same as --format json" },
      { flags: "--quiet", description: "only errors on stderr" },
      { flags: "--verbose", description: "more detail" },
      { flags: "--no-color", description: "no colours" },
      { flags: "--db <url>", description: "database: postgres://… or sqlite:<path>" },
      { flags: "--table <name>", description: "scan: a table to scan (repeatable)", parse: "list" },
      { flags: "--all-tables", description: "scan: every table the database catalog lists" },
      { flags: "--columns <list>", description: "comma-separated secret columns" },
      { flags: "--key <column>", description: "row id column (default id)" },
      { flags: "--full", description: "scan: read every row, not a sample" },
      { flags: "--sample <rows>", description: "scan: rows read per table without --full (default 1000)", parse: "positive-int" },
      {
        flags: "--min-confidence <level>",
        description: "scan: report findings at or above this confidence",
        choices: ["low", "medium", "high"],
        default: "low",
      },
      { flags: "--no-gitignore", description: "scan: also files that .gitignore leaves out" },
      { flags: "--exclude-path <glob>", description: "scan: leave out matching files and folders (repeatable)", parse: "list" },
      { flags: "--baseline <file>", description: "scan: findings accepted in this file are not reported" },
      { flags: "--write-baseline <file>", description: "scan: accept every current finding into this baseline file (exit 0)" },
      { flags: "--provider <name>", description: "where the secrets should go: named in the suggested migrate commands" },
    ],
  },
  {
    name: "config show",
    description: "effective settings and where each came from",
    options: [...READ_ONLY, { flags: "--provider <name>", description: "show the settings for this provider's section" }],
  },
];

export const GROUPS: Readonly<Record<string, string>> = {
  export: "manifests that let other tools read the migrated secrets",
  config: "project configuration",
};
