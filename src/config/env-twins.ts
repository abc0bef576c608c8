import { COMMANDS, type CommandSpec, keyOf } from "./options.js";

const CLI_ONLY = new Set(COMMANDS.flatMap((c) => c.options.filter((o) => o.cliOnly).map(keyOf)));

/** `kvVersion` → `SECRETS_KV_VERSION`: one rule, so the README table cannot drift from the CLI. */
export function envTwin(key: string): string | undefined {
  if (key === "help" || key === "version" || CLI_ONLY.has(key)) return undefined;
  return `SECRETS_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

export interface TwinRow {
  readonly variable: string;
  readonly flag: string;
  readonly commands: string[];
  readonly description: string;
}

/** Every twin the CLI knows, grouped across commands; the README table is generated from this. */
export function twinTable(commands: readonly CommandSpec[] = COMMANDS): TwinRow[] {
  const rows = new Map<string, TwinRow>();
  for (const cmd of commands) {
    for (const option of cmd.options.filter((o) => !o.hidden)) {
      const variable = envTwin(keyOf(option));
      if (!variable) continue;
      const row = rows.get(variable) ?? { variable, flag: option.flags.split(" ")[0] ?? option.flags, commands: [], description: option.description };
      row.commands.push(cmd.name);
      rows.set(variable, row);
    }
  }
  return [...rows.values()].sort((a, b) => a.variable.localeCompare(b.variable));
}

export function twinMarkdown(commands: readonly CommandSpec[] = COMMANDS): string {
  const lines = ["| variable | flag | commands | meaning |", "|---|---|---|---|"];
  for (const r of twinTable(commands)) {
    const missing = commands.map((c) => c.name).filter((name) => !r.commands.includes(name));
    const where = missing.length === 0 ? "every command" : missing.length === 1 ? `every command but ${missing[0]}` : r.commands.join(", ");
    lines.push(`| \`${r.variable}\` | \`${r.flag}\` | ${where} | ${r.description.replace(/\|/g, "\\|")} |`);
  }
  return lines.join("\n");
}
