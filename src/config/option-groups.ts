import { DEFAULT_PROVIDER, DESCRIPTORS } from "../providers/index.js";
import { listed } from "../ui/words.js";
import type { OptionSpec } from "./option-spec.js";
import { providerFlags } from "./provider-flags.js";

/** The option sets several commands share, and the example vault their help names. */
export const common = (writes: boolean): OptionSpec[] => [
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
];

/** Listed only by commands that open a provider; `init` and `providers` accept them unlisted, so scripts passing them everywhere keep working. */
export const PROVIDER_FLAGS = providerFlags();
export const UNLISTED_PROVIDER_FLAGS = PROVIDER_FLAGS.map((o) => ({ ...o, hidden: true }));

export const sourcing: OptionSpec[] = [
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

/** Another vault as the source: its settings are `key=value` pairs, so they never mix with the target's flags. */
export const copying: OptionSpec[] = [
  { flags: "--from-provider <provider>", description: "copy from another vault: its current values are the source", choices: DESCRIPTORS.map((d) => d.name) },
  { flags: "--from-prefix <prefix>", description: "with --from-provider: only names under this prefix, stripped from the names" },
  {
    flags: "--from-provider-option <key=value>",
    description: "with --from-provider: one of the source provider's settings, e.g. region=eu-west-1 (repeatable)",
    parse: "list",
  },
];

export const READ_ONLY = common(false);
/** `run` and `export`: which files, and where an unqualified ${secret:NAME} lives. */
export const resolving: OptionSpec[] = [
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
  ...PROVIDER_FLAGS,
];
export const WRITING = common(true);
/** Examples use a real remote vault from the registry (nothing outside a provider's folder names one). */
export const EXAMPLE = DESCRIPTORS.find((d) => d.eso && d.capabilities.anchor) ?? { name: DEFAULT_PROVIDER, title: DEFAULT_PROVIDER };
export const esoNames = () => listed(DESCRIPTORS.filter((d) => d.eso).map((d) => d.name));
