import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Node } from "yaml";
import { usageError } from "../core/errors.js";
import { yaml } from "../core/yaml.js";

export const CONFIG_FILE = "secretshift.yaml";

/** A setting from the file with where it stands, for `config show` and error messages. */
export interface ConfigValue {
  readonly value: unknown;
  readonly line: number;
}

export interface LoadedConfig {
  readonly path: string;
  /** Top-level settings by option name. */
  readonly top: ReadonlyMap<string, ConfigValue>;
  /** Per-provider settings by provider, then option name. */
  readonly providers: ReadonlyMap<string, ReadonlyMap<string, ConfigValue>>;
}

/** `--config <file>` must exist; the default `secretshift.yaml` is optional. */
export async function loadConfig(cwd: string, explicit: string | undefined): Promise<LoadedConfig | undefined> {
  const path = resolve(cwd, explicit ?? CONFIG_FILE);
  let text: string;
  try {
    // At once: the file is small, and read by every command at its start.
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" && explicit === undefined) return undefined;
    throw usageError("CONFIG_NOT_FOUND", `cannot read configuration file ${explicit ?? path}`);
  }
  const { LineCounter, parseDocument } = yaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const lineOf = (node: Node | null | undefined) => (node?.range ? lines.linePos(node.range[0]).line : 1);
  const first = doc.errors[0];
  if (first)
    throw usageError(
      "CONFIG_INVALID",
      `${explicit ?? CONFIG_FILE}:${first.linePos?.[0]?.line ?? 1}: ${first.message.split("\n")[0]}`,
      "fix the YAML syntax at that line",
    );
  const data = doc.toJS() ?? {};
  const { configSchema } = await import("./schema.js");
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = [...(issue?.path ?? []), ...(issue && "keys" in issue ? [(issue.keys as string[])[0] ?? ""] : [])].map(String);
    const node = doc.getIn(path, true) as Node | undefined;
    const where = `${explicit ?? CONFIG_FILE}:${lineOf(node ?? findKey(doc.contents, path))}`;
    throw usageError("CONFIG_INVALID", `${where}: ${path.join(".") || "(top)"}: ${issue?.message ?? "invalid"}`, "see the configuration section of the README");
  }
  const top = new Map<string, ConfigValue>();
  const providers = new Map<string, Map<string, ConfigValue>>();
  if (yaml().isMap(doc.contents)) {
    for (const pair of doc.contents.items) {
      const key = String(yaml().isScalar(pair.key) ? pair.key.value : pair.key);
      if (key === "providers" && yaml().isMap(pair.value)) {
        for (const p of pair.value.items) {
          const section = new Map<string, ConfigValue>();
          if (yaml().isMap(p.value))
            for (const s of p.value.items) section.set(String((s.key as { value: unknown }).value), { value: toJs(s.value), line: lineOf(s.key as Node) });
          providers.set(String((p.key as { value: unknown }).value), section);
        }
      } else if (key === "source" && yaml().isMap(pair.value)) {
        for (const [name, setting] of sourceSettings(pair.value.items, lineOf)) top.set(name, setting);
      } else {
        top.set(key === "sources" ? "from" : key, { value: toJs(pair.value), line: lineOf(pair.key as Node) });
      }
    }
  }
  return { path, top, providers };
}

/** The `source:` block is the `--from-*` options: `options: {region: eu-west-1}` becomes `region=eu-west-1`. */
function sourceSettings(items: readonly { key: unknown; value: unknown }[], lineOf: (node: Node) => number): [string, ConfigValue][] {
  return items.map((item) => {
    const key = String((item.key as { value: unknown }).value);
    const line = lineOf(item.key as Node);
    if (key !== "options" || !yaml().isMap(item.value)) return [key === "provider" ? "fromProvider" : "fromPrefix", { value: toJs(item.value), line }];
    const pairs = item.value.items.map((o) => `${String((o.key as { value: unknown }).value)}=${String(toJs(o.value))}`);
    return ["fromProviderOption", { value: pairs, line }];
  });
}

const toJs = (node: unknown): unknown => (yaml().isScalar(node) ? node.value : yaml().isSeq(node) || yaml().isMap(node) ? node.toJSON() : node);

/** For an unknown key the issue's path names its parent; find the offending key's own line. */
function findKey(contents: unknown, path: string[]): Node | undefined {
  let node = contents;
  for (const part of path) {
    if (!yaml().isMap(node)) return undefined;
    const pair = node.items.find((p) => yaml().isScalar(p.key) && String(p.key.value) === part);
    if (!pair) return undefined;
    node = path[path.length - 1] === part ? pair.key : pair.value;
  }
  return node as Node;
}
