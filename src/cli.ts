import { Command, Option } from "commander";
import { collect } from "./config/env-twins.js";
import type { Deps } from "./core/deps.js";
import { usageError } from "./core/errors.js";
import { isProviderName } from "./providers/index.js";
import type { ProviderName } from "./providers/types.js";

/** Provider flags → the `ProviderContext.options` keys each provider reads. */
const PROVIDER_FLAGS: [flags: string, key: string, description: string][] = [
  ["--store <path>", "store", "local: store file (default <state-dir>/store.enc)"],
  ["--region <region>", "region", "aws: region (AWS_REGION)"],
  ["--profile <name>", "profile", "aws: shared-config profile (AWS_PROFILE)"],
  ["--endpoint <url>", "endpoint", "aws/gcp: endpoint override"],
  ["--kms-key-id <id>", "kmsKeyId", "aws: KMS key for new secrets"],
  ["--description <text>", "description", "aws: description for new secrets"],
  ["--max-attempts <n>", "maxAttempts", "aws: SDK attempts per call"],
  ["--recovery-window <days>", "recoveryWindow", "aws: rollback keeps deleted secrets recoverable 7-30 days"],
  ["--restore-deleted", "restoreDeleted", "aws: restore secrets scheduled for deletion before writing"],
  ["--address <url>", "address", "vault: address (VAULT_ADDR)"],
  ["--mount <path>", "mount", "vault: KV mount (default secret)"],
  ["--kv-version <1|2>", "kvVersion", "vault: KV version when it cannot be detected"],
  ["--field <name>", "field", "vault: field holding the value (default value)"],
  ["--auth-mount <path>", "authMount", "vault: AppRole mount (default approle)"],
  ["--namespace <ns>", "namespace", "vault: namespace (VAULT_NAMESPACE); k8s: namespace (K8S_SECRET_NAMESPACE)"],
  ["--secret-name <name>", "secretName", "k8s, export k8s: the Secret holding the keys (default from the source file: .env → app-env)"],
  ["--layout <layout>", "layout", "k8s: single (one Secret, many keys; default) or per-secret"],
  ["--project <id>", "project", "gcp: project (GOOGLE_CLOUD_PROJECT)"],
  ["--vault-url <url>", "vaultUrl", "azure: vault URL (AZURE_KEYVAULT_URL)"],
  ["--recover-deleted", "recoverDeleted", "azure: recover soft-deleted secrets before writing"],
  ["--purge-deleted", "purgeDeleted", "azure: purge soft-deleted secrets before creating (needs purge rights)"],
  ["--purge", "purge", "azure: rollback purges the secrets it deletes"],
];

const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw usageError("BAD_OPTION", `expected a positive whole number, got "${value}"`);
  return n;
};

function common(cmd: Command, { writes = true } = {}): Command {
  cmd
    .option("--config <file>", "configuration file (default secretshift.yaml if present)")
    .option("--state-dir <dir>", "state folder (journal, backups, key)", ".secrets")
    .option("--json", "print one JSON document on stdout")
    .option("--quiet", "only errors on stderr")
    .option("--verbose", "more detail (API calls, stack traces)")
    .option("--no-color", "no colours")
    .addOption(
      new Option("--format <format>", "extra CI output: github annotations and step summary (automatic when GITHUB_ACTIONS=true)").choices(["human", "github"]),
    );
  if (writes) {
    cmd
      .option("--dry-run", "show the plan; write nothing, not even a backup")
      .option("--yes", "do not ask for confirmation (required without a terminal)")
      .option("--concurrency <n>", "writes in flight", positiveInt);
  }
  for (const [flags, , description] of PROVIDER_FLAGS) cmd.option(flags, description);
  return cmd;
}

function sourcing(cmd: Command): Command {
  return cmd
    .option("--from <file>", ".env, .json or .yaml file (repeatable)", collect)
    .option("--expand", "expand $VAR references in .env values exactly as dotenv-expand does")
    .option("--strict", "make every .env warning an error")
    .option("--db <url>", "database: postgres://… or sqlite:<path>")
    .option("--table <name>", "table holding the secret columns")
    .option("--columns <list>", "comma-separated secret columns")
    .option("--key <column>", "row id column (default id)")
    .option("--where <sql>", "SQL filter, run in a read-only transaction")
    .option("--prefix <prefix>", "put before every name")
    .option("--name-template <template>", "name from {key} {table} {row} {column} {env}")
    .option("--env <name>", "value for {env} in --name-template")
    .option("--only <glob>", "only names matching (repeatable)", collect)
    .option("--exclude <glob>", "skip names matching (repeatable)", collect);
}

/** Splits commander's flat options into the command's own and the provider's pass-through map. */
function normalise(raw: Record<string, unknown>, source?: string): Record<string, unknown> {
  const providerOptions: Record<string, string | undefined> = {};
  for (const [, key] of PROVIDER_FLAGS) {
    const value = raw[key];
    if (value !== undefined) providerOptions[key] = value === true ? "true" : String(value);
  }
  const from = [...(source ? [source] : []), ...((raw.from as string[] | undefined) ?? [])];
  // k8s derives its default Secret name from the first source file.
  if (from[0] !== undefined) providerOptions.sourceFile = from[0];
  return { ...raw, providerOptions, ...(from.length ? { from } : {}) };
}

function provider(name: string): ProviderName {
  if (!isProviderName(name)) throw usageError("UNKNOWN_PROVIDER", `unknown provider "${name}"`, "one of: local, aws, vault, gcp, azure, k8s");
  return name;
}

export type Runner = (run: () => Promise<number>) => Promise<void>;

/** Only this file knows commander. Each action imports its command module when it runs. */
export function buildCli(deps: Deps, version: string, run: Runner): Command {
  const program = new Command("secrets")
    .description("Move secrets out of .env files and database columns into a vault, and keep them fresh.")
    .version(version, "-V, --version")
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeOut: (s) => deps.stdout.write(s), writeErr: (s) => deps.stderr.write(s) })
    // Environment twins and secretshift.yaml fill what the command line left unset.
    .hook("preAction", async (_program, command) => {
      const { applyLayers } = await import("./config/layers.js");
      await applyLayers(command, deps);
    });

  common(program.command("init").description("create .secrets/ (0700), a local key, and a .gitignore entry"), { writes: false })
    .option("--provider <name>", "also write a starter secretshift.yaml for this provider")
    .action((o) => run(async () => (await import("./commands/init.js")).init(normalise(o) as never, deps)));

  sourcing(
    common(program.command("migrate <provider> [source]").description("plan, then (unless --dry-run) apply"))
      .addOption(new Option("--on-conflict <mode>", "when the vault holds a different value").choices(["overwrite", "skip", "fail"]).default("fail"))
      .addOption(
        new Option("--scrub <mode>", "after a successful live run, set migrated --db cells to NULL or secret:<provider>:<name>")
          .choices(["none", "null", "reference"])
          .default("none"),
      )
      .option("--emit-sql <file>", "write (never run) the DROP COLUMN migration for the --db columns"),
  ).action((p: string, source: string | undefined, o) =>
    run(async () => (await import("./commands/migrate.js")).migrate(provider(p), normalise(o, source) as never, deps)),
  );

  sourcing(common(program.command("validate <provider> [source]").description("does the vault hold exactly what the source holds?"), { writes: false }))
    .option("--exact", "names in the vault but not in the source count as drift")
    .option("--junit <file>", "also write a JUnit XML report, one test case per secret")
    .action((p: string, source: string | undefined, o) =>
      run(async () => (await import("./commands/validate.js")).validate(provider(p), normalise(o, source) as never, deps)),
    );

  common(program.command("rollback <provider>").description("undo a run exactly"))
    .option("--run <id>", "the run to undo")
    .option("--last", "undo the most recent run on this provider")
    .action((p: string, o) => run(async () => (await import("./commands/rollback.js")).rollback(provider(p), normalise(o) as never, deps)));

  common(program.command("rotate <name>").description("new value → pending → set → test → promote; the old one stays readable for the grace period"))
    .option("--provider <name>", "where the secret lives (default: SECRETS_PROVIDER, else where it was last migrated, else local)")
    .option("--grace-period <duration>", "how long the previous value stays readable: 90s, 30m, 2h, 7d (default 24h)")
    .option("--generator <spec>", "hex:N | base64:N | alnum:N | password:N | uuid | command:<cmd> (default base64:48)")
    .addOption(new Option("--strategy <name>", "where the value is used").choices(["generic", "jwt", "postgres", "postgres-alternating"]).default("generic"))
    .option("--test-command <cmd>", "must exit 0 with the new value in $SECRET_VALUE")
    .option("--pass-env <name>", "also give the test command and command: generators this environment variable (repeatable)", collect)
    .option("--db <admin-url>", "postgres strategies: admin connection URL")
    .option("--role <role>", "postgres strategies: the login role")
    .addOption(new Option("--bits <n>", "jwt: HS256/384/512 key size").choices(["256", "384", "512"]))
    .option("--abort", "abandon a rotation in progress: undo the set step, remove the pending version")
    .action((name: string, o, cmd: Command) =>
      run(async () =>
        (await import("./commands/rotate.js")).rotate(name, { ...normalise(o), providerSource: cmd.getOptionValueSource("provider") } as never, deps),
      ),
    );

  common(program.command("cleanup <provider>").description("drop previous versions whose grace has passed, expire old roles, delete old backups"))
    .option("--backups-older-than <duration>", "backup retention", "30d")
    .option("--db <admin-url>", "postgres-alternating: admin URL to expire the old role")
    .action((p: string, o) => run(async () => (await import("./commands/cleanup.js")).cleanup(provider(p), normalise(o) as never, deps)));

  common(program.command("get <name>").description("a secret's versions, masked; --reveal prints the value"), { writes: false })
    .option("--provider <name>", "where the secret lives (as for rotate)")
    .option("--with-previous", "also the previous version and its grace end")
    .option("--reveal", "print plaintext values (the only command that does)")
    .action((name: string, o, cmd: Command) =>
      run(async () =>
        (await import("./commands/get.js")).get(
          name,
          { ...normalise(o), providerSource: cmd.getOptionValueSource("provider"), revealSource: cmd.getOptionValueSource("reveal") } as never,
          deps,
        ),
      ),
    );

  common(program.command("journal [action] [run-id]").description("list | show <run-id> | verify | upgrade the audit journal"), { writes: false })
    .option("--provider <name>", "verify: also check the journal anchor kept in this provider; list: only its runs")
    .action((action: string | undefined, runId: string | undefined, o) =>
      run(async () => (await import("./commands/journal.js")).journal(action ?? "list", runId, normalise(o) as never, deps)),
    );

  common(program.command("providers").description("which providers exist and how they are configured"), { writes: false }).action((o) =>
    run(async () => (await import("./commands/providers.js")).providers(normalise(o) as never, deps)),
  );
  const exporter = program.command("export").description("manifests that let other tools read the migrated secrets");
  sourcing(
    common(exporter.command("k8s [source]").description("External Secrets Operator manifests (SecretStore + ExternalSecret) for a migrate's secrets"), {
      writes: false,
    }),
  )
    .option("--provider <name>", "where the secrets were migrated: aws, vault, gcp or azure")
    .option("--output <file>", "write the manifests to this file instead of stdout")
    .action((source: string | undefined, o) => run(async () => (await import("./commands/export-k8s.js")).exportK8s(normalise(o, source) as never, deps)));
  program
    .command("scan [paths...]")
    .description("find plaintext secrets in files and database columns; exit 1 when something is found")
    .option("--config <file>", "configuration file (default secretshift.yaml if present)")
    .option("--state-dir <dir>", "state folder, never scanned", ".secrets")
    .addOption(new Option("--format <format>", "human, json, sarif (code scanning) or github (annotations)").choices(["human", "json", "sarif", "github"]))
    .option("--json", "same as --format json")
    .option("--quiet", "only errors on stderr")
    .option("--verbose", "more detail")
    .option("--no-color", "no colours")
    .option("--db <url>", "database: postgres://… or sqlite:<path>")
    .option("--table <name>", "scan: a table to scan (repeatable)", collect)
    .option("--all-tables", "scan: every table the database catalog lists")
    .option("--columns <list>", "comma-separated secret columns")
    .option("--key <column>", "row id column (default id)")
    .option("--full", "scan: read every row, not a sample")
    .option("--sample <rows>", "scan: rows read per table without --full", positiveInt, 1000)
    .addOption(new Option("--min-confidence <level>", "scan: report findings at or above this confidence").choices(["low", "medium", "high"]).default("low"))
    .option("--no-gitignore", "scan: also files that .gitignore leaves out")
    .option("--exclude-path <glob>", "scan: leave out matching files and folders (repeatable)", collect)
    .option("--baseline <file>", "scan: findings accepted in this file are not reported")
    .option("--write-baseline <file>", "scan: accept every current finding into this baseline file (exit 0)")
    .option("--provider <name>", "where the secrets should go: named in the suggested migrate commands")
    .action((paths: string[], o, cmd: Command) => {
      const typed = cmd.options.map((x) => x.attributeName()).filter((k) => cmd.getOptionValueSource(k) === "cli");
      return run(async () => (await import("./commands/scan.js")).scan(paths, { ...o, typed } as never, deps));
    });

  const config = program.command("config").description("project configuration");
  common(config.command("show").description("effective settings and where each came from"), { writes: false })
    .option("--provider <name>", "show the settings for this provider's section")
    .action((o, cmd: Command) => run(async () => (await import("./commands/config-show.js")).configShow(program, cmd, normalise(o) as never, deps)));
  return program;
}
