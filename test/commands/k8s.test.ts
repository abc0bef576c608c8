import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromKey, keyProblem, toKey } from "../../src/core/kubernetes-names.js";
import { checkKeyName, checkSecretName, fromSecretName } from "../../src/providers/k8s/names.js";
import { formatDotenv } from "../../src/sources/dotenv.js";
import { commandSuite } from "../helpers/command-suite.js";
import { type K8sHarness, startK8sHarness } from "../helpers/k8s-harness.js";
import { parseJson, runSecrets } from "../helpers/run-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

commandSuite({
  label: "k8s, one Secret (wire-level Kubernetes API)",
  start: async () => {
    const h = await startK8sHarness();
    return { provider: "k8s", env: h.env, args: h.args, options: h.options, server: h.server, stop: h.stop };
  },
});

describe("k8s provider: limits and conflicts", () => {
  let h: K8sHarness;
  let seq = 0;
  beforeAll(async () => {
    h = await startK8sHarness();
  });
  afterAll(() => h?.stop());

  /** A project writing to its own Secret, so tests do not see each other's keys. */
  async function project(pairs: Record<string, string>) {
    const cwd = await tmpdir();
    const secret = `limits-${seq++}`;
    const run = (...args: string[]) => runSecrets([...args, "--secret-name", secret], { cwd, env: h.env });
    expect((await run("init")).code).toBe(0);
    const writeEnv = (p: Record<string, string>) => writeFile(join(cwd, ".env"), formatDotenv(Object.entries(p).map(([key, value]) => ({ key, value }))));
    await writeEnv(pairs);
    return { cwd, secret, run, writeEnv, peek: () => h.server.secrets.peek(h.namespace, secret) };
  }

  it("sends a run's writes as one request and labels the Secret it creates", async () => {
    const p = await project({ A: "alpha-value-0000000000", B: "bravo-value-1111111111", C: "charlie-value-22222222" });
    const before = { ...h.server.counts };
    const r = await p.run("migrate", "k8s", "--yes", "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("k8s keeps no versions: a rollback of this run restores from its encrypted backup");
    // One write for the run's Secret, one for the journal anchor (the `secretshift` Secret's annotations).
    expect(h.server.counts.create - before.create + h.server.counts.update - before.update).toBe(2);
    expect(h.server.secrets.peek(h.namespace, "secretshift")?.data ?? {}).toEqual({});
    // connect() and planning share one read of the Secret; the anchor is read once before it is written.
    expect(h.server.counts.get - before.get).toBe(2);
    const stored = p.peek();
    expect(stored?.metadata.labels).toEqual({ "app.kubernetes.io/managed-by": "secretshift" });
    expect(Object.keys(stored?.data ?? {}).sort()).toEqual(["A", "B", "C"]);
    expect(Buffer.from(stored?.data.B ?? "", "base64").toString()).toBe("bravo-value-1111111111");
  });

  it("refuses in the plan a run that would take the Secret over 1 MiB, and writes nothing", async () => {
    const big = "x".repeat(600 * 1024);
    const p = await project({ BIG_ONE: big, BIG_TWO: `${big}y` });
    const before = { ...h.server.counts };
    const r = await p.run("migrate", "k8s", "--yes", "--json");
    expect(r.code).toBe(1);
    const doc = parseJson(r) as { summary: Record<string, number>; items: { action: string; error?: string }[] };
    expect(doc.summary).toMatchObject({ invalid: 2, create: 0, failed: 0 });
    expect(r.stdout).toContain("1 MiB");
    expect(h.server.counts.create + h.server.counts.update).toBe(before.create + before.update);
    expect(p.peek()).toBeUndefined();
  });

  it("counts the keys a Secret already holds towards the 1 MiB", async () => {
    const p = await project({ EXISTING: "e".repeat(700 * 1024) });
    expect((await p.run("migrate", "k8s", "--yes")).code).toBe(0);
    const rv = p.peek()?.metadata.resourceVersion;
    await p.writeEnv({ EXISTING: "e".repeat(700 * 1024), ADDED: "a".repeat(400 * 1024) });
    const r = await p.run("migrate", "k8s", "--yes", "--json");
    expect(r.code).toBe(1);
    expect(parseJson(r).summary).toMatchObject({ invalid: 1, unchanged: 1 });
    expect(p.peek()?.metadata.resourceVersion).toBe(rv);
    expect((await p.run("migrate", "k8s", "--dry-run", "--json", "--only", "EXISTING")).code).toBe(0);
  });

  it("a change made between plan and write is a conflict; nothing of the run lands", async () => {
    const p = await project({ KEPT: "kept-value-000000000000" });
    expect((await p.run("migrate", "k8s", "--yes")).code).toBe(0);
    await p.writeEnv({ KEPT: "kept-value-000000000000", NEW_ONE: "new-value-11111111111111" });
    h.server.beforeWrite = () => {
      h.server.beforeWrite = undefined;
      h.server.secrets.patch(h.namespace, p.secret, { data: { OTHER: Buffer.from("someone else").toString("base64") } });
    };
    const r = await p.run("migrate", "k8s", "--yes", "--json");
    expect(r.code).toBe(1);
    const doc = parseJson(r) as { summary: Record<string, number>; items: { name: string; error?: string }[] };
    expect(doc.summary).toMatchObject({ failed: 1 });
    expect(doc.items.find((i) => i.name === "NEW_ONE")?.error).toMatch(/changed since it was read \(resourceVersion \d+\)/);
    expect(Object.keys(p.peek()?.data ?? {}).sort()).toEqual(["KEPT", "OTHER"]);
    // The next run reads the new resourceVersion and goes through, keeping the other writer's key.
    expect((await p.run("migrate", "k8s", "--yes")).code).toBe(0);
    expect(Object.keys(p.peek()?.data ?? {}).sort()).toEqual(["KEPT", "NEW_ONE", "OTHER"]);
  });

  it("rollback of the run that created the Secret deletes it once it is empty", async () => {
    const p = await project({ ONLY: "only-value-000000000000" });
    expect((await p.run("migrate", "k8s", "--yes")).code).toBe(0);
    expect(p.peek()).toBeDefined();
    const back = await p.run("rollback", "k8s", "--last", "--yes");
    expect(back.code, back.stderr).toBe(0);
    expect(back.stderr).toContain("from the encrypted backup");
    expect(p.peek()).toBeUndefined();
  });
});

describe("k8s name mapping", () => {
  const alphabet = fc.constantFrom(..."aZ09._-/".split(""));
  const names = fc.string({ unit: alphabet, minLength: 1, maxLength: 40 });

  it("a name the single layout accepts reads back as itself, and no two names share a key", () => {
    fc.assert(
      fc.property(names, names, (a, b) => {
        const ca = checkKeyName(a);
        if (!ca.invalid) {
          expect(keyProblem(ca.key)).toBeUndefined();
          expect(fromKey(ca.key)).toBe(a);
        }
        const cb = checkKeyName(b);
        if (!ca.invalid && !cb.invalid && a !== b) expect(ca.key).not.toBe(cb.key);
        // The documented rule: refused exactly when the name holds __ or _/ (or breaks the key rules).
        if (!a.includes("__") && !a.includes("_/") && !keyProblem(toKey(a))) expect(ca.invalid).toBeUndefined();
        if (a.includes("__") || a.includes("_/")) expect(ca.invalid).toBeDefined();
      }),
      { numRuns: 2000 },
    );
  });

  it("every valid key maps to a name that maps back to it (list sees every key)", () => {
    const keys = fc.string({ unit: fc.constantFrom(..."aZ09._-".split("")), minLength: 1, maxLength: 40 }).filter((k) => !keyProblem(k));
    fc.assert(
      fc.property(keys, (k) => {
        expect(toKey(fromKey(k))).toBe(k);
      }),
    );
  });

  it("per-secret names round-trip through Secret names", () => {
    fc.assert(
      fc.property(names, (n) => {
        const c = checkSecretName(n);
        if (!c.invalid) expect(fromSecretName(c.secret)).toBe(n);
      }),
    );
    expect(checkSecretName("app/db-password")).toEqual({ secret: "app.db-password" });
    expect(checkSecretName("API_KEY").invalid).toMatch(/DNS subdomain/);
  });
});
