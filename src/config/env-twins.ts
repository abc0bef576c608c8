import type { Command, Option } from "commander";

/** Parser of repeatable options; the layers recognise lists by it. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * Options that are about the invocation itself, not settings, get no twin: printing a value
 * (`--reveal`) or abandoning a rotation (`--abort`) must be asked for on the command line.
 */
const NO_TWIN = new Set(["help", "version", "reveal", "abort"]);

/** `--kv-version` → `SECRETS_KV_VERSION`: one rule, so the README table cannot drift from the CLI. */
export function envTwin(option: Option): string | undefined {
  const name = option.attributeName();
  if (NO_TWIN.has(name)) return undefined;
  return `SECRETS_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

export interface TwinRow {
  readonly variable: string;
  readonly flag: string;
  readonly commands: string[];
  readonly description: string;
}

/** Every twin the CLI knows, grouped across commands; the README table is generated from this. */
export function twinTable(program: Command): TwinRow[] {
  const rows = new Map<string, TwinRow>();
  for (const cmd of program.commands) {
    for (const option of cmd.options) {
      const variable = envTwin(option);
      if (!variable) continue;
      const row = rows.get(variable) ?? { variable, flag: option.long ?? option.flags, commands: [], description: option.description };
      row.commands.push(cmd.name());
      rows.set(variable, row);
    }
  }
  return [...rows.values()].sort((a, b) => a.variable.localeCompare(b.variable));
}

export function twinMarkdown(program: Command): string {
  const lines = ["| variable | flag | commands | meaning |", "|---|---|---|---|"];
  for (const r of twinTable(program)) lines.push(`| \`${r.variable}\` | \`${r.flag}\` | ${r.commands.join(", ")} | ${r.description.replace(/\|/g, "\\|")} |`);
  return lines.join("\n");
}
