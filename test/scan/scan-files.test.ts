import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { KINDS, leaks, random, secretPart } from "../helpers/fake-secrets.js";
import { type Planted, plantTree } from "../helpers/plant-tree.js";
import { type CliResult, parseJson, runSecrets } from "../helpers/run-cli.js";
import { sarifErrors } from "../helpers/sarif-schema.js";
import { tmpdir } from "../helpers/tmpdir.js";

const FIXTURE = fileURLToPath(new URL("../../fixtures/scan/tree", import.meta.url));
const SEED = Number(process.env.SCAN_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** Planted where a scan must not look: gitignored, installed dependencies, the state folder, a binary file. */
const NOT_SCANNED = ["build/", ".env.local", "debug.log", "secrets.local.yaml", "node_modules/", ".secrets/", "assets/logo.png"];
const CONFIDENCE: Record<string, string> = { "generic-weak": "low", "generic-random": "medium", "generic-hex": "medium", jwt: "medium" };

interface JsonFinding {
  rule: string;
  confidence: string;
  location: string;
  file?: { path: string; line: number; column: number };
  name: string | null;
  preview: string;
  suggestion: string;
}

const keyOf = (f: { path: string; line: number; column: number; rule: string; confidence: string }) =>
  `${f.path}:${f.line}:${f.column} ${f.rule} ${f.confidence}`;
const findingsOf = (r: CliResult) => parseJson(r).findings as JsonFinding[];

/** The fixture tree with fresh fake secrets, plus what a repository cannot hold: node_modules, a state folder, a binary. */
async function plantedProject(seed = SEED): Promise<{ cwd: string; planted: Planted[] }> {
  const cwd = await tmpdir();
  const rand = random(seed);
  const planted = await plantTree(FIXTURE, cwd, rand);
  const extra = async (path: string, kind: string, wrap: (v: string) => string | Buffer) => {
    const value = KINDS[kind]?.make(rand) ?? "";
    await mkdir(join(cwd, path, ".."), { recursive: true });
    await writeFile(join(cwd, path), wrap(value));
    planted.push({ kind, rule: KINDS[kind]?.rule ?? "", path, line: 1, column: 1, value });
  };
  await extra("node_modules/left-pad/index.js", "github-token", (v) => `module.exports = "${v}";\n`);
  await extra(".secrets/notes.txt", "stripe-secret-key", (v) => `STRIPE_KEY=${v}\n`);
  await extra("assets/logo.png", "aws-access-key-id", (v) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]), Buffer.from(`KEY=${v}\n`)]));
  return { cwd, planted };
}

const expectedOf = (planted: readonly Planted[]) =>
  planted.filter((p) => !NOT_SCANNED.some((skip) => (skip.endsWith("/") ? p.path.startsWith(skip) : p.path === skip)));

describe(`secrets scan over the fixture tree (seed ${SEED}; SCAN_SEED=${SEED} replays it)`, () => {
  let cwd: string;
  let planted: Planted[];
  let json: CliResult;
  beforeAll(async () => {
    ({ cwd, planted } = await plantedProject());
    json = await runSecrets(["scan", "--json"], { cwd });
  });

  it("finds every planted secret, at its exact place, with its rule and confidence, and flags none of the decoys", () => {
    expect(json.code, json.stderr).toBe(1);
    const expected = new Set(
      expectedOf(planted).map((p) => keyOf({ ...p, confidence: CONFIDENCE[p.kind] ?? (p.rule === "generic-secret" ? "medium" : "high") })),
    );
    const found = new Set(findingsOf(json).map((f) => keyOf({ ...(f.file ?? { path: "?", line: 0, column: 0 }), rule: f.rule, confidence: f.confidence })));
    const hits = [...found].filter((k) => expected.has(k)).length;
    console.log(
      `scan fixture: ${expected.size} planted (${Object.keys(KINDS).length} kinds), ${found.size} found; ` +
        `precision ${(hits / found.size).toFixed(3)} (${hits}/${found.size}), recall ${(hits / expected.size).toFixed(3)} (${hits}/${expected.size})`,
    );
    expect({ missed: [...expected].filter((k) => !found.has(k)), decoysFlagged: [...found].filter((k) => !expected.has(k)) }).toEqual({
      missed: [],
      decoysFlagged: [],
    });
    // Every kind of token the rules know is planted somewhere in the scanned part of the tree.
    expect(new Set(expectedOf(planted).map((p) => p.kind))).toEqual(new Set(Object.keys(KINDS)));
  });

  it("says why files were left out, and names the gitignored dotenv file", async () => {
    const summary = parseJson(json).summary as { files: { scanned: number; skipped: Record<string, number> } };
    expect(summary.files.skipped).toEqual({ gitignored: 4, binary: 1 });
    const skipped = (parseJson(json).skipped as { files: { path: string; reason: string }[] }).files;
    expect(skipped.map((s) => `${s.path} ${s.reason}`).sort()).toEqual(
      [".env.local gitignored", "assets/logo.png binary", "build/ gitignored", "debug.log gitignored", "secrets.local.yaml gitignored"].sort(),
    );
    const human = await runSecrets(["scan"], { cwd });
    expect(human.stderr).toContain("1 gitignored dotenv file(s) not scanned (.env.local)");
    const all = await runSecrets(["scan", "--json", "--no-gitignore"], { cwd });
    const paths = new Set(findingsOf(all).map((f) => f.file?.path));
    for (const path of [".env.local", "build/app.js", "debug.log", "secrets.local.yaml"]) expect(paths).toContain(path);
    for (const path of ["node_modules/left-pad/index.js", ".secrets/notes.txt", "assets/logo.png"]) expect(paths).not.toContain(path);
  });

  it("suggests for each file finding a migrate command that plans exactly that key from that line", async () => {
    const byFile = findingsOf(json).filter((f) => f.suggestion.startsWith("secrets migrate"));
    expect(byFile.length).toBeGreaterThan(10);
    for (const f of byFile) {
      const args = shellSplit(f.suggestion).slice(1);
      expect(args.slice(0, 2)).toEqual(["migrate", "<provider>"]);
      // The judge is migrate itself: its dry-run plan must hold that one name, from that file and line.
      const plan = await runSecrets(["migrate", "local", ...args.slice(2), "--dry-run", "--json"], { cwd });
      const items = parseJson(plan).items as { name: string; source: string }[];
      expect(items, f.suggestion).toEqual([
        expect.objectContaining({ name: f.name, source: expect.stringMatching(new RegExp(`^${escapeRegExp(f.file?.path ?? "")}:\\d+$`)) }),
      ]);
    }
    const byHand = findingsOf(json).filter((f) => !f.suggestion.startsWith("secrets migrate"));
    // Code, Kubernetes manifests (the values sit in a list), INI and other files migrate cannot read.
    expect(new Set(byHand.map((f) => f.file?.path))).toEqual(
      new Set([
        "src/settings.py",
        "src/client.ts",
        "deploy/k8s.yaml",
        "home/.aws/credentials",
        ".npmrc",
        "keep.log",
        "db/seed.sql",
        "infra/terraform.tfvars",
        "notes.txt",
        "config/mail.ini",
      ]),
    );
    expect(byHand.find((f) => f.file?.path === "deploy/k8s.yaml" && f.confidence === "low")?.suggestion).toBe(
      "no migrate source reads this file: move the value into .env as DB_PASSWORD, then secrets migrate <provider> --from .env --only DB_PASSWORD",
    );
  });

  it("prints no planted value in any format, on stdout or stderr, nor in a baseline", async () => {
    const outputs = [
      json,
      await runSecrets(["scan"], { cwd }),
      await runSecrets(["scan", "--verbose", "--provider", "aws"], { cwd, tty: true }),
      await runSecrets(["scan", "--format", "sarif"], { cwd }),
      await runSecrets(["scan", "--format", "github"], { cwd }),
      await runSecrets(["scan", "--no-gitignore", "--json"], { cwd }),
    ];
    expect((await runSecrets(["scan", "--write-baseline", "accepted.json"], { cwd })).code).toBe(0);
    const text = [...outputs.map((o) => o.stdout + o.stderr), await readFile(join(cwd, "accepted.json"), "utf8")].join("\n");
    expect(outputs.map((o) => o.code)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(
      leaks(
        text,
        planted.map((p) => secretPart(p.kind, p.value)),
      ),
    ).toEqual([]);
  });

  it("writes SARIF that the official SARIF 2.1.0 schema accepts, one result per finding", async () => {
    const sarif = await runSecrets(["scan", "--format", "sarif"], { cwd });
    const document = parseJson(sarif);
    expect(sarifErrors(document)).toEqual([]);
    const results = (document as { runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] })
      .runs[0]?.results;
    expect(results?.length).toBe(findingsOf(json).length);
    // A path with a space is a valid relative URI reference once encoded.
    expect(results?.map((r) => r.locations[0]?.physicalLocation.artifactLocation.uri)).toContain("config/prod%20settings/app.env");
  });

  it("annotates each finding for GitHub Actions with its file, line and column", async () => {
    const github = await runSecrets(["scan", "--format", "github"], { cwd });
    const lines = github.stdout.trim().split("\n");
    expect(lines.length).toBe(findingsOf(json).length);
    for (const f of findingsOf(json)) {
      const at = `file=${f.file?.path.replaceAll(":", "%3A").replaceAll(",", "%2C")},line=${f.file?.line},col=${f.file?.column},`;
      expect(
        lines.some((l) => /^::(error|warning|notice) /.test(l) && l.includes(at)),
        at,
      ).toBe(true);
    }
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Enough of POSIX word splitting for the suggestions: blanks, and single quotes with `'\''`. */
function shellSplit(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)) words.push(m[1] !== undefined ? m[1].replaceAll("'\\''", "'") : (m[2] ?? ""));
  return words;
}
