import { CliError, ExitCode } from "../core/errors.js";
import { parseReference } from "../core/secret-reference.js";
import type { ProviderName } from "../providers/index.js";
import { at } from "../sources/origin.js";
import type { Origin } from "../sources/types.js";
import { type Part, parseTemplate, type Reference } from "./syntax.js";

export interface Templated {
  readonly key: string;
  readonly value: string;
  readonly origin: Origin;
}

export interface ResolveContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The provider of a `${secret:NAME}` that names none. */
  providerFor(name: string): ProviderName | Promise<ProviderName>;
  /** Every name at once, so a provider can batch (AWS BatchGetSecretValue) or read concurrently under its limiter. */
  read(provider: ProviderName, names: readonly string[]): Promise<ReadonlyMap<string, string>>;
}

type Bound = string | (Reference & { readonly provider?: ProviderName });

export interface Resolution {
  readonly key: string;
  readonly value: string;
  /** One line per reference that resolved to nothing, with its `file:line`. */
  readonly missing: readonly string[];
}

/** Every reference of every entry, with one read per provider. */
export async function resolveEach(entries: readonly Templated[], ctx: ResolveContext): Promise<Resolution[]> {
  const parsed = await Promise.all(entries.map(async (e) => ({ entry: e, parts: await Promise.all(partsOf(e).map((p) => bind(p, ctx))) })));
  const wanted = new Map<ProviderName, Set<string>>();
  for (const { parts } of parsed)
    for (const p of parts)
      if (typeof p !== "string" && p.kind === "secret" && p.provider) wanted.set(p.provider, (wanted.get(p.provider) ?? new Set()).add(p.name));
  const read = new Map(await Promise.all([...wanted].map(async ([provider, names]) => [provider, await ctx.read(provider, [...names])] as const)));

  return parsed.map(({ entry, parts }) => {
    const missing: string[] = [];
    const value = parts
      .map((p) => {
        if (typeof p === "string") return p;
        const found = p.kind === "env" ? ctx.env[p.name] : read.get(p.provider as ProviderName)?.get(p.name);
        if (found === undefined)
          missing.push(`${at(entry.origin)}: ${p.text} ${p.kind === "env" ? "is not set in the environment" : `names no secret in ${p.provider}`}`);
        return found ?? "";
      })
      .join("");
    return { key: entry.key, value, missing };
  });
}

/** A missing secret or variable is an error naming it and its `file:line`, never an empty string. */
export async function resolveTemplates(entries: readonly Templated[], ctx: ResolveContext): Promise<{ key: string; value: string }[]> {
  const resolved = await resolveEach(entries, ctx);
  const missing = resolved.flatMap((r) => r.missing);
  if (missing.length > 0) {
    const more = missing.length > 1 ? ` (and ${missing.length - 1} more)` : "";
    throw new CliError("REFERENCE_MISSING", `${missing[0]}${more}`, {
      exitCode: ExitCode.usage,
      hint: `migrate the secret first, fix the reference, or name the provider: \${secret:PROVIDER:NAME}`,
    });
  }
  return resolved.map(({ key, value }) => ({ key, value }));
}

/** A database cell holding `secret:<provider>:<name>` (left by column scrub) is a reference as a whole. */
function partsOf(entry: Templated): Part[] {
  const cell = entry.origin.column === undefined ? undefined : parseReference(entry.value);
  if (cell) return [{ kind: "secret", provider: cell.provider, name: cell.name, text: entry.value }];
  return parseTemplate(entry.value, at(entry.origin));
}

async function bind(part: Part, ctx: ResolveContext): Promise<Bound> {
  if (typeof part === "string" || part.kind === "env" || part.provider) return part;
  return { ...part, provider: await ctx.providerFor(part.name) };
}
