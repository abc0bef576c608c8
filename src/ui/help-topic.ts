import type { Command } from "commander";
import { envTwin } from "../config/env-twins.js";
import { COMMANDS, providerFlag } from "../config/options.js";
import type { Deps } from "../core/deps.js";
import { ExitCode, usageError } from "../core/errors.js";
import type { ProviderDescriptor } from "../providers/descriptor.js";
import { DESCRIPTORS } from "../providers/index.js";
import { table } from "./table.js";

/** `secrets help`, `secrets help <command…>`, `secrets help <provider>`: help on stdout, as asked for. */
export async function helpTopic(program: Command, topic: readonly string[], deps: Pick<Deps, "stdout" | "env">): Promise<number> {
  const provider = DESCRIPTORS.find((d) => d.name === topic[0]);
  if (provider && topic.length === 1) {
    deps.stdout.write(providerHelp(provider, deps.env));
    return ExitCode.ok;
  }
  let cmd: Command | undefined = program;
  for (const word of topic) cmd = cmd?.commands.find((c) => c.name() === word);
  if (!cmd) {
    throw usageError(
      "UNKNOWN_HELP_TOPIC",
      `no command or provider named "${topic.join(" ")}"`,
      `commands: ${program.commands.map((c) => c.name()).join(", ")}; providers: ${DESCRIPTORS.map((d) => d.name).join(", ")}`,
    );
  }
  cmd.outputHelp();
  return ExitCode.ok;
}

/** Everything a provider declares, so its flags need not be listed under every command. */
function providerHelp(d: ProviderDescriptor, env: NodeJS.ProcessEnv): string {
  const takers = COMMANDS.filter((c) => c.options.some((o) => o.provider)).map((c) => c.name);
  const flags = d.settings.map((s) => [providerFlag(s), envTwin(s.key) ?? "", s.description]);
  const own = d.env.map((v) => [v, env[v] ? "set" : ""]);
  const can = Object.entries(d.capabilities).map(([what, value]) => `${what}: ${value === true ? "yes" : value === false ? "no" : value}`);
  return [
    `${d.title} (${d.name})`,
    `  set up: ${d.how}`,
    "",
    `Flags (also an environment variable, or a key under \`${d.name}:\` in secretshift.yaml):`,
    flags.length ? indent(table(["FLAG", "ENV TWIN", "MEANING"], flags)) : "  none",
    "",
    "Environment variables of its own tooling:",
    own.length ? indent(table(["VARIABLE", "NOW"], own)) : "  none",
    "",
    `Capabilities: ${can.join("; ")}`,
    `Commands that take it: ${takers.join(", ")}`,
    "",
  ].join("\n");
}

const indent = (text: string) =>
  text
    .trimEnd()
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
