import { DEFAULT_PROVIDER } from "../providers/index.js";
import { copying, EXAMPLE, esoNames, PROVIDER_FLAGS, READ_ONLY, resolving, sourcing, UNLISTED_PROVIDER_FLAGS, WRITING } from "./option-groups.js";
import type { CommandSpec } from "./option-spec.js";

export { type CommandSpec, isNegated, keyOf, type OptionSpec, positiveInt, takesValue } from "./option-spec.js";
export { providerFlag } from "./provider-flags.js";

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "init",
    description: "create .secrets/ (0700), a local key, and a .gitignore entry",
    examples: [
      ["secrets init", "create .secrets/ with a new key, and ignore it in git"],
      [`secrets init --provider ${EXAMPLE.name}`, `also write a starter secretshift.yaml for ${EXAMPLE.name}`],
    ],
    options: [...READ_ONLY, { flags: "--provider <name>", description: "also write a starter secretshift.yaml for this provider" }, ...UNLISTED_PROVIDER_FLAGS],
  },
  {
    name: "migrate",
    args: "[provider] [source]",
    description: "plan, then (unless --dry-run) apply",
    examples: [
      [`secrets migrate ${DEFAULT_PROVIDER} .env --dry-run`, "see the plan; nothing is written"],
      [`secrets migrate ${EXAMPLE.name} .env --prefix myapp/`, `move .env into ${EXAMPLE.title} under myapp/`],
      [`secrets migrate ${EXAMPLE.name} --db "$DATABASE_URL" --table users --columns api_key --yes`, "migrate a database column, without asking"],
    ],
    options: [
      ...WRITING,
      { flags: "--on-conflict <mode>", description: "when the vault holds a different value", choices: ["overwrite", "skip", "fail"], default: "fail" },
      {
        flags: "--scrub <mode>",
        description: `after a successful live run: --db cells to NULL or secret:<provider>:<name>; .env/YAML/JSON values to \${secret:<name>} (reference) or their entries deleted (remove)`,
        choices: ["none", "null", "reference", "remove"],
        default: "none",
      },
      { flags: "--emit-sql <file>", description: "write (never run) the DROP COLUMN migration for the --db columns" },
      ...sourcing,
      ...copying,
      {
        flags: "--with-previous",
        description: "with --from-provider: also copy each new secret's previous value as its previous version (versioned targets)",
      },
      ...PROVIDER_FLAGS,
    ],
  },
  {
    name: "validate",
    args: "<provider> [source]",
    description: "does the vault hold exactly what the source holds?",
    examples: [
      [`secrets validate ${EXAMPLE.name} .env --prefix myapp/`, `does ${EXAMPLE.name} hold exactly what .env holds? exit 1 on drift`],
      [`secrets validate ${EXAMPLE.name} .env --exact --junit report.xml`, `names only in ${EXAMPLE.name} count as drift too; a JUnit report for CI`],
    ],
    options: [
      ...READ_ONLY,
      ...sourcing,
      ...copying,
      { flags: "--exact", description: "names in the vault but not in the source count as drift" },
      { flags: "--junit <file>", description: "also write a JUnit XML report, one test case per secret" },
      ...PROVIDER_FLAGS,
    ],
  },
  {
    name: "rollback",
    args: "<provider>",
    description: "undo a run exactly",
    examples: [
      [`secrets rollback ${EXAMPLE.name} --last --dry-run`, "what undoing the last run would change"],
      [`secrets rollback ${EXAMPLE.name} --run 20261123T164501-3f9a2c --yes`, "undo that run exactly"],
    ],
    options: [
      ...WRITING,
      { flags: "--run <id>", description: "the run to undo" },
      { flags: "--last", description: "undo the most recent run on this provider" },
      ...PROVIDER_FLAGS,
    ],
  },
  {
    name: "rotate",
    args: "[name]",
    description: "new value → pending → set → test → promote; the old one stays readable for the grace period",
    examples: [
      ["secrets rotate STRIPE_KEY --dry-run", "the steps, without doing them"],
      ["secrets rotate JWT_SECRET --strategy jwt --grace-period 2h --yes", "a new signing key; the old one verifies for 2 hours"],
      ['secrets rotate DB_PASSWORD --strategy postgres --db "$ADMIN_URL" --role app --yes', "a new password for the app role"],
    ],
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
      ...PROVIDER_FLAGS,
      { flags: "--all", description: "rotate every secret on the provider, one at a time", cliOnly: true },
      { flags: "--only <glob>", description: "only names matching (repeatable)", parse: "list" },
      { flags: "--exclude <glob>", description: "skip names matching (repeatable)", parse: "list" },
    ],
  },
  {
    name: "cleanup",
    args: "[provider]",
    description: "drop previous versions whose grace has passed, expire old roles, delete old backups",
    examples: [
      ["secrets cleanup --dry-run", "what would go, on the provider the last run used"],
      [`secrets cleanup ${EXAMPLE.name} --yes --backups-older-than 90d`, "drop expired previous versions; keep backups 90 days"],
    ],
    options: [
      ...WRITING,
      { flags: "--provider <name>", description: "same as the argument (default as for rotate: SECRETS_PROVIDER, secretshift.yaml, the last run's)" },
      { flags: "--backups-older-than <duration>", description: "backup retention", default: "30d" },
      { flags: "--db <admin-url>", description: "postgres-alternating: admin URL to expire the old role" },
      ...PROVIDER_FLAGS,
    ],
  },
  {
    name: "get",
    args: "<name>",
    description: "a secret's versions, masked; --reveal prints the value",
    examples: [
      ["secrets get STRIPE_KEY", "the current version, masked"],
      ["secrets get JWT_SECRET --with-previous", "also the previous version and when its grace ends"],
      ["secrets get STRIPE_KEY --reveal", "print the value itself"],
    ],
    options: [
      ...READ_ONLY,
      { flags: "--provider <name>", description: "where the secret lives (as for rotate)" },
      { flags: "--with-previous", description: "also the previous version and its grace end" },
      { flags: "--reveal", description: "print plaintext values (the only command that does)", cliOnly: true },
      ...PROVIDER_FLAGS,
    ],
  },
  {
    name: "journal",
    args: "[action] [run-id]",
    description: "list | show <run-id> | verify | upgrade the audit journal",
    examples: [
      ["secrets journal", "the runs, newest last"],
      ["secrets journal show 20261123T164501-3f9a2c", "every step of one run"],
      [`secrets journal verify --provider ${EXAMPLE.name}`, `check the journal's chain and its anchor in ${EXAMPLE.name}`],
    ],
    options: [
      ...READ_ONLY,
      { flags: "--provider <name>", description: "verify: also check the journal anchor kept in this provider; list: only its runs" },
      ...PROVIDER_FLAGS,
    ],
  },
  {
    name: "providers",
    description: "which providers exist and how they are configured",
    options: [...READ_ONLY, ...UNLISTED_PROVIDER_FLAGS],
    examples: [
      ["secrets providers", "each provider and whether its environment is set"],
      ["secrets providers --json", "the same as one JSON document"],
    ],
  },
  {
    name: "run",
    args: "<command...>",
    description: `resolve \${secret:…} and \${env:…} references, then start the command with the values in its environment`,
    examples: [
      ["secrets run -- npm start", "start the app with the references in .env resolved"],
      [`secrets run --from .env.production --provider ${EXAMPLE.name} -- node server.js`, `references from another file, looked up in ${EXAMPLE.name}`],
    ],
    options: resolving,
  },
  {
    name: "export",
    description: "resolved values on stdout (dotenv, json, shell) or into $GITHUB_ENV (github)",
    examples: [
      ["secrets export --format github", "a CI step: the values into $GITHUB_ENV, each masked in the log"],
      ["secrets export --format dotenv --reveal > .env.resolved", "the resolved values as a .env file"],
    ],
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
    examples: [
      [`secrets export k8s --provider ${EXAMPLE.name} .env --prefix myapp/`, "manifests for the secrets of .env, on stdout"],
      [`secrets export k8s --provider ${EXAMPLE.name} .env --output eso.yaml`, "written to a file"],
    ],
    options: [
      ...READ_ONLY,
      ...sourcing,
      { flags: "--provider <name>", description: `where the secrets were migrated: ${esoNames()}` },
      { flags: "--output <file>", description: "write the manifests to this file instead of stdout" },
      ...PROVIDER_FLAGS,
    ],
  },
  {
    name: "scan",
    args: "[paths...]",
    description: "find plaintext secrets in files and database columns; exit 1 when something is found",
    examples: [
      ["secrets scan", "plaintext secrets in the files git tracks here"],
      ['secrets scan --db "$DATABASE_URL" --all-tables', "secrets in every table's columns (a sample of rows)"],
      ["secrets scan --format sarif > scan.sarif", "a report for code scanning"],
    ],
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
    name: "policy",
    args: "<provider>",
    description: "the least-privilege permissions the commands need, in the provider's policy format",
    examples: [
      [`secrets policy ${EXAMPLE.name}`, "every permission every command needs, for the whole vault"],
      [`secrets policy ${EXAMPLE.name} --for migrate,validate --prefix myapp/`, "only what migrate and validate need under myapp/"],
    ],
    options: [
      ...READ_ONLY,
      ...PROVIDER_FLAGS,
      { flags: "--for <commands>", description: "comma-separated: migrate, validate, rollback, rotate, cleanup, run (default all)" },
      { flags: "--prefix <prefix>", description: "scope the policy to names under this prefix" },
    ],
  },
  {
    name: "completion",
    args: "<shell>",
    description: "print a bash, zsh or fish completion script (commands, flags, providers, and the local store's names)",
    examples: [
      ["secrets completion bash >> ~/.bashrc", "complete commands, flags and secret names in bash"],
      ["secrets completion fish > ~/.config/fish/completions/secrets.fish", "the same for fish"],
    ],
    options: [],
  },
  {
    name: "__complete names",
    description: "the local store's secret names, for completion scripts (nothing when it cannot be opened)",
    options: [{ flags: "--state-dir <dir>", description: "state folder", default: ".secrets" }],
    hidden: true,
  },
  {
    name: "config show",
    description: "effective settings and where each came from",
    examples: [
      ["secrets config show", "every setting and where it came from"],
      [`secrets config show --provider ${EXAMPLE.name}`, `with the ${EXAMPLE.name} section of secretshift.yaml`],
    ],
    options: [...READ_ONLY, { flags: "--provider <name>", description: "show the settings for this provider's section" }, ...PROVIDER_FLAGS],
  },
];

export const GROUPS: Readonly<Record<string, string>> = {
  export: "manifests that let other tools read the migrated secrets",
  config: "project configuration",
};
