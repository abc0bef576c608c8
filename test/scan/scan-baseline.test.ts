import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { KINDS, leaks, random, secretPart } from "../helpers/fake-secrets.js";
import { type Planted, plantTree } from "../helpers/plant-tree.js";
import { type CliResult, parseJson, runSecrets } from "../helpers/run-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

const FIXTURE = fileURLToPath(new URL("../../fixtures/scan/tree", import.meta.url));
const SEED = Number(process.env.SCAN_SEED ?? Math.floor(Math.random() * 2 ** 31));
const rand = random(SEED + 1);

const findings = (r: CliResult) => parseJson(r).findings as { rule: string; location: string; name: string | null }[];

describe(`scan --baseline (seed ${SEED})`, () => {
  let cwd: string;
  let planted: Planted[];
  let total: number;
  const scan = (...args: string[]) => runSecrets(["scan", "--json", ...args], { cwd });
  const edit = async (path: string, change: (text: string) => string) => writeFile(join(cwd, path), change(await readFile(join(cwd, path), "utf8")));
  const valueAt = (path: string, key: string) => planted.find((p) => p.path === path && p.line === lineOf(path, key))?.value ?? "";
  const lines = new Map<string, string[]>();
  const lineOf = (path: string, key: string) => (lines.get(path) ?? []).findIndex((l) => l.startsWith(`${key}=`)) + 1;

  beforeAll(async () => {
    cwd = await tmpdir();
    planted = await plantTree(FIXTURE, cwd, random(SEED));
    lines.set(".env", (await readFile(join(cwd, ".env"), "utf8")).split("\n"));
    total = findings(await scan()).length;
  });

  it("--write-baseline accepts everything found now (exit 0); with --baseline nothing is reported", async () => {
    const written = await scan("--write-baseline", "accepted.json");
    expect(written.code, written.stderr).toBe(0);
    expect(parseJson(written)).toMatchObject({ findings: [], baselineWritten: { path: "accepted.json", count: total } });
    const file = JSON.parse(await readFile(join(cwd, "accepted.json"), "utf8"));
    expect(file.secretshiftScanBaseline).toBe(1);
    expect(file.accepted).toHaveLength(total);
    // A committed file: fingerprints and places, never a value or a piece of one.
    expect(
      leaks(
        JSON.stringify(file),
        planted.map((p) => secretPart(p.kind, p.value)),
      ),
    ).toEqual([]);
    const checked = await scan("--baseline", "accepted.json");
    expect(checked.code, checked.stdout).toBe(0);
    expect(parseJson(checked)).toMatchObject({ findings: [], baseline: { path: "accepted.json", accepted: total, unseen: 0 } });
    const human = await runSecrets(["scan", "--baseline", "accepted.json"], { cwd });
    expect([human.code, human.stdout]).toEqual([0, expect.stringContaining("no plaintext secrets found · ")]);
    expect(human.stdout).toContain(`${total} accepted by accepted.json`);
  });

  it("survives lines added above; a new secret in an accepted place is reported, a new weak password there is not", async () => {
    const stripe = valueAt(".env", "STRIPE_SECRET_KEY");
    const weak = valueAt(".env", "DB_PASSWORD");
    expect([stripe.length > 0, weak.length > 0]).toEqual([true, true]);
    await edit(".env", (t) => `# added\n# lines\n${t}`);
    await edit("config/app.yaml", (t) => `# added above\n${t}`);
    const shifted = await scan("--baseline", "accepted.json");
    expect([shifted.code, findings(shifted)]).toEqual([0, []]);

    const replacement = KINDS["stripe-secret-key"]?.make(rand) ?? "";
    await edit(".env", (t) => t.replace(stripe, replacement).replace(`DB_PASSWORD=${weak}`, "DB_PASSWORD=meadowharbor77"));
    const after = await scan("--baseline", "accepted.json");
    expect(after.code).toBe(1);
    // Random values are bound into their fingerprint; a weak one only by its place, so guessing it from the file is no easier.
    expect(findings(after).map((f) => `${f.location} ${f.rule} ${f.name}`)).toEqual([".env:6:19 stripe-secret-key STRIPE_SECRET_KEY"]);
    expect(parseJson(after)).toMatchObject({ baseline: { accepted: total - 1, unseen: 1 } });
  });

  it("rewriting a baseline keeps its salt; a missing or foreign baseline is a usage error", async () => {
    const before = JSON.parse(await readFile(join(cwd, "accepted.json"), "utf8"));
    expect((await scan("--write-baseline", "accepted.json")).code).toBe(0);
    const after = JSON.parse(await readFile(join(cwd, "accepted.json"), "utf8"));
    expect(after.salt).toBe(before.salt);
    expect((await scan("--baseline", "accepted.json")).code).toBe(0);

    const missing = await scan("--baseline", "nope.json");
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining("BASELINE_NOT_FOUND")]);
    await writeFile(join(cwd, "foreign.json"), JSON.stringify({ version: 2, results: [] }));
    const foreign = await scan("--baseline", "foreign.json");
    expect([foreign.code, foreign.stderr]).toEqual([2, expect.stringContaining("BASELINE_INVALID")]);
    const unwritable = await scan("--write-baseline", "no/such/dir/b.json");
    expect([unwritable.code, unwritable.stderr]).toEqual([2, expect.stringContaining("BASELINE_UNWRITABLE")]);
  });
});
