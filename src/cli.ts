import { resolve } from "node:path";
import { Command, Option } from "commander";
import { COMMANDS, type CommandSpec, GROUPS, keyOf, type OptionSpec, positiveInt } from "./config/options.js";
import type { Deps } from "./core/deps.js";
import { ExitCode, usageError } from "./core/errors.js";
import { actionableFsError } from "./core/fs-errors.js";
import { isProviderName, type ProviderName, unknownProvider } from "./providers/index.js";

export type Runner = (run: () => Promise<number>) => Promise<void>;

/** The exit code of an error commander threw while parsing (it has printed the text already); help and version succeed. */
export function parseExit(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== "string" || !code.startsWith("commander.")) return undefined;
  // Bare `secrets` shows the help as an error (exit 1, like git); asked-for help succeeds.
  if (code === "commander.help") return (error as { exitCode?: number }).exitCode === 0 ? ExitCode.ok : ExitCode.failed;
  return ["commander.helpDisplayed", "commander.version"].includes(code) ? ExitCode.ok : ExitCode.usage;
}

type Action = (args: (string | undefined)[], options: Record<string, unknown>, cmd: Command) => Promise<number>;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function provider(name: string | undefined): ProviderName {
  if (name === undefined || !isProviderName(name)) throw unknownProvider(String(name));
  return name;
}

/** The values typed on the command line, by option key. */
function typed(cmd: Command, spec: CommandSpec): Map<string, unknown> {
  const keys = spec.options.map(keyOf).filter((key) => cmd.getOptionValueSource(key) === "cli");
  return new Map(keys.map((key) => [key, cmd.getOptionValue(key)]));
}

/** Splits commander's flat options into the command's own and the provider's pass-through map. */
function normalise(spec: CommandSpec, raw: Record<string, unknown>, source?: string): Record<string, unknown> {
  const providerOptions: Record<string, string | undefined> = {};
  for (const key of spec.options.filter((o) => o.provider).map(keyOf)) {
    const value = raw[key];
    if (value !== undefined) providerOptions[key] = value === true ? "true" : String(value);
  }
  const from = [...(source ? [source] : []), ...((raw.from as string[] | undefined) ?? [])];
  // A provider may take defaults from the first source file (the name of the Secret it writes to).
  if (from[0] !== undefined) providerOptions.sourceFile = from[0];
  return { ...raw, providerOptions, ...(from.length ? { from } : {}) };
}

function toOption(spec: OptionSpec): Option {
  const option = new Option(spec.flags, spec.description);
  if (spec.choices) option.choices(spec.choices);
  if (spec.default !== undefined) option.default(spec.default);
  if (spec.parse === "positive-int") option.argParser(positiveInt);
  if (spec.parse === "list") option.argParser(collect);
  if (spec.group) option.helpGroup(spec.group);
  if (spec.hidden) option.hideHelp();
  return option;
}

/**
 * The commands this run can reach: those named by the first word of argv. Building all of them, with
 * their options and examples, costs every start ~12 ms (commander checks each new flag against the
 * command's others); anything else (`help`, no command, a flag first, a typo to suggest a command
 * for) gets them all, as a help listing needs.
 */
function reachable(argv: readonly string[] | undefined): (spec: CommandSpec) => boolean {
  const first = argv?.[0];
  if (first === undefined || !COMMANDS.some((c) => c.name.split(" ")[0] === first)) return () => true;
  return (spec) => spec.name.split(" ")[0] === first;
}

/** Only this file knows commander; the commands and options are data (config/options.ts). Each action imports its command when it runs. */
export function buildCli(deps: Deps, version: string, run: Runner, argv?: readonly string[]): Command {
  const needed = reachable(argv);
  const program = new Command("secrets")
    .description("Move secrets out of .env files and database columns into a vault, and keep them fresh.")
    .version(version, "-V, --version")
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeOut: (s) => deps.stdout.write(s), writeErr: (s) => deps.stderr.write(s) });
  const specs = new Map<Command, CommandSpec>();
  // Environment twins and secretshift.yaml fill what the command line left unset.
  program.hook("preAction", async (_program, cmd) => {
    const spec = specs.get(cmd);
    if (!spec) return;
    const { applyLayers } = await import("./config/layers.js");
    const args = spec.args?.split(" ") ?? [];
    const resolved = await applyLayers(
      spec.options,
      {
        flags: typed(cmd, spec),
        providerArg: args[0] === "<provider>" || args[0] === "[provider]" ? cmd.args[0] : undefined,
        // Copying from another vault on the command line replaces the file's sources too.
        sourceGiven: (args.includes("[source]") && cmd.args[args.indexOf("[source]")] !== undefined) || cmd.getOptionValueSource("fromProvider") === "cli",
      },
      deps,
    );
    for (const [key, r] of resolved)
      if (r.origin.kind === "env" || r.origin.kind === "file") cmd.setOptionValueWithSource(key, r.value, r.origin.kind === "env" ? "env" : "config");
  });

  const actions: Record<string, Action> = {
    init: async (_, o) => (await import("./commands/init.js")).init(o as never, deps),
    migrate: async ([p], o) =>
      (await import("./commands/migrate.js")).migrate(
        p === undefined ? await (await import("./ui/wizard.js")).askProvider(deps, "migrate", o) : provider(p),
        o as never,
        deps,
      ),
    validate: async ([p], o) => (await import("./commands/validate.js")).validate(provider(p), o as never, deps),
    rollback: async ([p], o) => (await import("./commands/rollback.js")).rollback(provider(p), o as never, deps),
    rotate: async ([name], o, cmd) => {
      const options = { ...o, providerSource: cmd.getOptionValueSource("provider") };
      // Only a typed --only picks many: SECRETS_ONLY, meant for migrate, must not turn `rotate <name>` into a batch.
      const many = Boolean(o.all) || cmd.getOptionValueSource("only") === "cli";
      if (name === undefined && many) return (await import("./commands/rotate-many.js")).rotateMany(options as never, deps);
      if (many) throw usageError("ROTATE_TARGET", "name one secret, or use --all / --only <glob> (not both)");
      // Without a name, rotate asks for one at a terminal (or says what it needs).
      return (await import("./commands/rotate.js")).rotate(name, options as never, deps);
    },
    cleanup: async ([p], o, cmd) =>
      (await import("./commands/cleanup.js")).cleanup(p, { ...o, providerSource: cmd.getOptionValueSource("provider") } as never, deps),
    get: async ([name], o, cmd) =>
      (await import("./commands/get.js")).get(
        name as string,
        { ...o, providerSource: cmd.getOptionValueSource("provider"), revealSource: cmd.getOptionValueSource("reveal") } as never,
        deps,
      ),
    journal: async ([action, runId], o) => (await import("./commands/journal.js")).journal(action ?? "list", runId, o as never, deps),
    providers: async (_, o) => (await import("./commands/providers.js")).providers(o as never, deps),
    run: async ([command], o) => (await import("./commands/run.js")).run(command as unknown as string[], o as never, deps),
    export: async (_, o, cmd) =>
      (await import("./commands/export-env.js")).exportEnv({ ...o, revealSource: cmd.getOptionValueSource("reveal") } as never, deps),
    "export k8s": async (_, o) => (await import("./commands/export-k8s.js")).exportK8s(o as never, deps),
    scan: async ([paths], o, cmd) =>
      (await import("./commands/scan.js")).scan(
        paths as unknown as string[],
        { ...o, typed: [...typed(cmd, specs.get(cmd) as CommandSpec).keys()] } as never,
        deps,
      ),
    policy: async ([p], o) => (await import("./commands/policy.js")).policy(provider(p), o as never, deps),
    completion: async ([shell]) => (await import("./commands/completion.js")).completion(shell as string, deps),
    "__complete names": async (_, o) => (await import("./commands/complete-names.js")).completeNames(o as never, deps),
    "config show": async (_, o, cmd) => (await import("./commands/config-show.js")).configShow(o as never, deps, typed(cmd, specs.get(cmd) as CommandSpec)),
  };

  const groups = new Map<string, Command>();
  for (const spec of COMMANDS.filter(needed)) {
    const [parentName, childName] = spec.name.split(" ");
    let parent = program;
    if (childName !== undefined && parentName !== undefined) {
      parent = groups.get(parentName) ?? program.command(parentName, { hidden: spec.hidden === true }).description(GROUPS[parentName] ?? "");
      groups.set(parentName, parent);
      // A parent with options of its own (`export --provider`) leaves the ones after its subcommand to the
      // subcommand; commander needs that of every command above it too (the program has only -V and -h).
      if (specs.has(parent)) {
        program.enablePositionalOptions();
        parent.enablePositionalOptions();
      }
    }
    const cmd = parent.command(`${childName ?? spec.name}${spec.args ? ` ${spec.args}` : ""}`, { hidden: spec.hidden === true }).description(spec.description);
    // A command may also be a group (`export --format …` and `export k8s`).
    if (childName === undefined) groups.set(spec.name, cmd);
    for (const option of spec.options) cmd.addOption(toOption(option));
    if (spec.examples) cmd.addHelpText("after", `\nExamples:\n${spec.examples.map(([line, what]) => `  $ ${line}\n      ${what}`).join("\n")}\n`);
    specs.set(cmd, spec);
    const action = actions[spec.name];
    cmd.action((...params: unknown[]) => {
      const self = params[params.length - 1] as Command;
      const args = params.slice(0, -2) as (string | undefined)[];
      const source = spec.args?.includes("[source]") ? args[spec.args.split(" ").indexOf("[source]")] : undefined;
      const options = normalise(spec, params[params.length - 2] as Record<string, unknown>, source);
      const named = spec.args?.startsWith("<provider>") || spec.args?.startsWith("[provider]") ? args[0] : (options.provider as string | undefined);
      const stateDir = resolve(deps.cwd, String(options.stateDir ?? ".secrets"));
      const explain = async (e: unknown) => (await import("./core/access-hint.js")).withPolicyHint(actionableFsError(e, stateDir), spec.name, named);
      return run(async () => (action ? action(args, options, self).catch(async (e: unknown) => Promise.reject(await explain(e))) : 0));
    });
  }
  // Replaces commander's: `secrets help aws` explains a provider, not only a command.
  program.helpCommand(false);
  program
    .command("help [topic...]")
    .description("help for a command, or a provider's flags and environment variables (secrets help <provider>)")
    .action((topic: string[]) => run(async () => (await import("./ui/help-topic.js")).helpTopic(program, topic, deps)));
  return program;
}
