import { GROUPS } from "../config/options.js";
import type { CompletedCommand, Values } from "./model.js";

const q = (s: string) => `'${s.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;

function args(values: Values): string {
  if (values === "names") return "-xa '(secrets __complete names 2>/dev/null)'";
  if (values === "files") return "-rF";
  if (values === "none") return "-x";
  return `-xa ${q(values.words.join(" "))}`;
}

/** `complete` lines: a command's flags and first argument once its words have been typed. */
export function fishScript(commands: readonly CompletedCommand[]): string {
  const lines = ["# secrets completion for fish: save as ~/.config/fish/completions/secrets.fish", "complete -c secrets -f"];
  const tops = new Map<string, string>();
  for (const c of commands)
    if (!tops.has(c.name.split(" ")[0] ?? ""))
      tops.set(c.name.split(" ")[0] ?? "", c.name.includes(" ") ? (GROUPS[c.name.split(" ")[0] ?? ""] ?? "") : c.description);
  const all = [...tops.keys()].join(" ");
  for (const [word, description] of tops) lines.push(`complete -c secrets -n "not __fish_seen_subcommand_from ${all}" -a ${q(word)} -d ${q(description)}`);
  for (const c of commands) {
    const words = c.name.split(" ");
    const seen = words.map((w) => `__fish_seen_subcommand_from ${w}`).join("; and ");
    if (words.length === 2) lines.push(`complete -c secrets -n "__fish_seen_subcommand_from ${words[0]}" -a ${q(words[1] ?? "")} -d ${q(c.description)}`);
    if (c.first !== "none") lines.push(`complete -c secrets -n "${seen}" ${args(c.first)}`);
    for (const f of c.flags) {
      const value = f.values ? ` ${args(f.values)}` : "";
      lines.push(`complete -c secrets -n "${seen}" -l ${f.flag.replace(/^--/, "")} -d ${q(f.description)}${value}`);
    }
  }
  lines.push("complete -c secretshift -w secrets");
  return `${lines.join("\n")}\n`;
}
