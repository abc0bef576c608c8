import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { DESCRIPTORS } from "../../src/providers/index.js";

/*
 * "Adding a provider is one folder plus one line in the registry." These tests hold the code to it.
 *
 * A file NAMES a provider when its code (comments do not count) has
 *   1. an import, export or dynamic import of a module inside `src/providers/<name>/`;
 *   2. an identifier spelled exactly like a provider (`aws`, `k8s`: an object key, a variable);
 *   3. a string or template literal where the provider's name is a token, a token being bounded by
 *      anything but letters, digits, `_` and `-` ("aws", "one of: aws, gcp", "aws/gcp: …", but not
 *      "aws-credentials"). `local` and `vault` are also ordinary words ("the vault holds…", "a local
 *      key"), so for those two only a literal that is the name alone counts, the name in a list
 *      with another provider ("local, aws", "aws|vault"), or the name as a label ("vault: address").
 *      One phrase is exempt: "export k8s", the command's name, which means the platform Kubernetes.
 * Only `src/providers/<name>/` itself and the registry (`src/providers/index.ts`) may name a
 * provider. Tests and the README are outside the rule.
 */

const SRC = resolve(import.meta.dirname, "../../src");
const PROVIDERS = join(SRC, "providers");
const REGISTRY = join(PROVIDERS, "index.ts");
const NAMES: string[] = DESCRIPTORS.map((d) => d.name);
const PROSE_WORDS = new Set(["local", "vault"]);
const EXEMPT_PHRASE = /\bexport k8s\b/g;

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : p.endsWith(".ts") ? [p] : [];
  });

const folderOf = (file: string): string | undefined => {
  const rel = relative(PROVIDERS, file).split("/");
  return rel.length > 1 && !rel[0]?.startsWith("..") ? rel[0] : undefined;
};

interface Import {
  readonly spec: string;
  readonly resolved: string;
  /** Erased at run time (`import type`, `import("…")` in a type). */
  readonly typeOnly: boolean;
  /** `await import(…)`: loaded when that code runs, not with the module. */
  readonly lazy?: boolean;
}

/** Module specifiers in `file`: static and type-only imports, re-exports, `import()` calls and `import("…")` types. */
function imports(file: string, source: ts.SourceFile): Import[] {
  const found: Import[] = [];
  const add = (literal: ts.Node, typeOnly: boolean, lazy = false) => {
    if (!ts.isStringLiteralLike(literal)) return;
    const spec = literal.text;
    const resolved = spec.startsWith(".") ? resolve(dirname(file), spec).replace(/\.js$/, ".ts") : spec;
    found.push({ spec, resolved, typeOnly, lazy });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const typeOnly = Boolean(clause?.isTypeOnly || (clause && !clause.name && named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier, typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) add(node.moduleSpecifier, node.isTypeOnly);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0]) add(node.arguments[0], false, true);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal, true);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const parse = (file: string) => ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);

function textNames(text: string): string[] {
  const cleaned = text.replace(EXEMPT_PHRASE, "");
  const any = NAMES.join("|");
  return NAMES.filter((name) => {
    const token = `(?<![A-Za-z0-9_-])${name}(?![A-Za-z0-9_-])`;
    if (!PROSE_WORDS.has(name)) return new RegExp(token).test(cleaned);
    const alone = cleaned.trim() === name;
    const listed = new RegExp(`(?<![A-Za-z0-9_-])(${any})\\s*[,;|/]\\s*${name}(?![A-Za-z0-9_-])|${token}\\s*[,;|/]\\s*(${any})(?![A-Za-z0-9_-])`).test(cleaned);
    const label = new RegExp(`(^|[;(]\\s*)${name}\\s*:`).test(cleaned.trim());
    return alone || listed || label;
  });
}

/** Every place `file` names a provider, as `line: what`. */
function namings(file: string): string[] {
  const source = parse(file);
  const out: string[] = [];
  const at = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
  const specifiers = new Set<ts.Node>();
  for (const i of imports(file, source)) {
    const folder = folderOf(i.resolved);
    if (folder !== undefined && NAMES.includes(folder)) out.push(`imports ${i.spec}`);
  }
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) specifiers.add(node.moduleSpecifier);
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0]) specifiers.add(node.arguments[0]);
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) specifiers.add(node.argument.literal);
    if (ts.isIdentifier(node) && NAMES.includes(node.text)) out.push(`${at(node)}: identifier ${node.text}`);
    const literal =
      ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node);
    if (literal && !specifiers.has(node)) for (const name of textNames(node.text)) out.push(`${at(node)}: "${node.text}" names ${name}`);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

describe("one folder per provider behind one registry", () => {
  it("the rule catches what it is meant to catch", () => {
    expect(textNames("aws")).toEqual(["aws"]);
    expect(textNames("one of: local, aws, vault, gcp, azure, k8s")).toEqual(NAMES);
    expect(textNames("vault: address (VAULT_ADDR)")).toEqual(["vault"]);
    expect(textNames("aws/gcp: endpoint override")).toEqual(["aws", "gcp"]);
    expect(textNames("local")).toEqual(["local"]);
    expect(textNames("aws|vault|gcp")).toEqual(["aws", "vault", "gcp"]);
    expect(textNames("x; vault: same as --address")).toEqual(["vault"]);
    expect(textNames("when the vault holds a different value")).toEqual([]);
    expect(textNames("into a vault, and keep them fresh")).toEqual([]);
    expect(textNames("replace-me-aws-credentials")).toEqual([]);
    expect(textNames("secrets export k8s --provider")).toEqual([]);
  });

  it("no file outside src/providers/<name>/ and the registry names a provider", () => {
    const outside = filesUnder(SRC).filter((f) => f !== REGISTRY && !NAMES.includes(folderOf(f) ?? ""));
    expect(outside.length).toBeGreaterThan(50);
    const found = outside.flatMap((f) => namings(f).map((n) => `${relative(SRC, f)}:${n}`));
    expect(found).toEqual([]);
  });

  it("a provider's folder imports nothing from another provider's folder", () => {
    const crossing = NAMES.flatMap((name) =>
      filesUnder(join(PROVIDERS, name)).flatMap((f) =>
        imports(f, parse(f))
          .filter((i) => {
            const folder = folderOf(i.resolved);
            return folder !== undefined && folder !== name && NAMES.includes(folder);
          })
          .map((i) => `${relative(SRC, f)} imports ${i.spec}`),
      ),
    );
    expect(crossing).toEqual([]);
  });

  it("every folder is in the registry under its own name, with an index.ts", () => {
    const folders = readdirSync(PROVIDERS).filter((n) => statSync(join(PROVIDERS, n)).isDirectory() && n !== "shared");
    expect(folders.sort()).toEqual([...NAMES].sort());
    for (const name of NAMES) expect(existsSync(join(PROVIDERS, name, "index.ts")), name).toBe(true);
  });

  it("the registry loads no store, SDK or zod: only descriptors, until a provider is used", () => {
    const seen = new Set<string>();
    const packages = new Set<string>();
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const i of imports(file, parse(file))) {
        if (i.typeOnly || i.lazy) continue;
        if (!i.spec.startsWith(".")) packages.add(i.spec);
        else walk(i.resolved);
      }
    };
    walk(REGISTRY);
    expect(seen.size).toBeGreaterThan(NAMES.length);
    expect([...seen].filter((f) => f.endsWith("/store.ts") || f.endsWith("/client.ts"))).toEqual([]);
    expect([...packages].filter((p) => !p.startsWith("node:"))).toEqual([]);
  });

  it("providers that read the same setting declare it alike (one flag, one config key)", () => {
    const byKey = new Map<string, string>();
    for (const d of DESCRIPTORS) {
      for (const s of d.settings) {
        const shape = JSON.stringify({ arg: s.arg ?? null, value: s.value ?? null });
        expect(byKey.get(s.key) ?? shape, `${d.name}: ${s.key}`).toBe(shape);
        byKey.set(s.key, shape);
      }
    }
  });
});
