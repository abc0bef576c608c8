import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveSecretName } from "../../src/core/kubernetes-names.js";
import { type K8sHarness, startK8sHarness } from "../helpers/k8s-harness.js";
import { parseJson, runSecrets } from "../helpers/run-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const text = (s: string | undefined) => Buffer.from(s ?? "", "base64").toString();

describe("k8s --layout per-secret", () => {
  let h: K8sHarness;
  beforeAll(async () => {
    h = await startK8sHarness({ layout: "per-secret" });
  });
  afterAll(() => h?.stop());

  async function project(doc: unknown) {
    const cwd = await tmpdir();
    const run = (...args: string[]) => runSecrets([...args, ...h.args], { cwd, env: h.env });
    expect((await run("init")).code).toBe(0);
    const write = (d: unknown) => writeFile(join(cwd, "secrets.json"), JSON.stringify(d));
    await write(doc);
    return { run, write };
  }
  const peek = (name: string) => h.server.secrets.peek(h.namespace, name);

  it("refuses names that are not lowercase DNS subdomains once / becomes .", async () => {
    const p = await project({ API_KEY: "upper-case-value-000000", "v1.2": "dotted-name-value-11111" });
    const r = await p.run("migrate", "k8s", "secrets.json", "--yes", "--json");
    expect(r.code).toBe(1);
    const items = (parseJson(r) as { items: { name: string; action: string; error?: string }[] }).items;
    expect(items.map((i) => i.action)).toEqual(["invalid", "invalid"]);
    expect(items.find((i) => i.name === "API_KEY")?.error).toMatch(/DNS subdomain/);
    expect(items.find((i) => i.name === "v1.2")?.error).toMatch(/cannot hold \./);
  });

  it("one Secret per name with the key `value`; update, validate and rollback per Secret", async () => {
    const p = await project({ app: { "db-password": "db-value-000000000000000" }, "api-key": "api-value-1111111111111" });
    const first = await p.run("migrate", "k8s", "secrets.json", "--yes", "--json");
    expect(first.code, first.stderr).toBe(0);
    expect(parseJson(first).summary).toMatchObject({ create: 2 });
    expect(text(peek("app.db-password")?.data.value)).toBe("db-value-000000000000000");
    expect(peek("api-key")?.metadata.labels).toEqual({ "app.kubernetes.io/managed-by": "secretshift" });
    expect((await p.run("validate", "k8s", "secrets.json", "--exact")).code).toBe(0);

    await p.write({ app: { "db-password": "db-value-changed-2222222" }, "api-key": "api-value-1111111111111" });
    const second = await p.run("migrate", "k8s", "secrets.json", "--yes", "--json", "--on-conflict", "overwrite");
    expect(parseJson(second).summary).toMatchObject({ update: 1, unchanged: 1 });
    expect((await p.run("rollback", "k8s", "--last", "--yes")).code).toBe(0);
    expect(text(peek("app.db-password")?.data.value)).toBe("db-value-000000000000000");
    expect((await p.run("rollback", "k8s", "--run", parseJson(first).runId as string, "--yes")).code).toBe(0);
    expect(peek("app.db-password")).toBeUndefined();
    expect(peek("api-key")).toBeUndefined();
  });

  it("a Secret of the same name that someone else made is never written over", async () => {
    h.server.secrets.create(h.namespace, { metadata: { name: "foreign" }, data: { token: b64("not ours") } });
    const p = await project({ foreign: "our-value-3333333333333333" });
    const r = await p.run("migrate", "k8s", "secrets.json", "--yes", "--json");
    expect(r.code).toBe(1);
    expect((parseJson(r) as { items: { error?: string }[] }).items[0]?.error).toMatch(/already exists/);
    expect(peek("foreign")?.data).toEqual({ token: b64("not ours") });
  });
});

describe("k8s configuration", () => {
  let h: K8sHarness;
  beforeAll(async () => {
    h = await startK8sHarness({ tokens: { good: { user: "migrator" }, "list-only": { user: "viewer", verbs: ["list"] } }, token: "good" });
  });
  afterAll(() => h?.stop());

  async function project(files: Record<string, string>, env: Record<string, string> = h.env) {
    const cwd = await tmpdir();
    for (const [name, content] of Object.entries(files)) await writeFile(join(cwd, name), content);
    const run = (...args: string[]) => runSecrets(args, { cwd, env });
    expect((await run("init")).code).toBe(0);
    return { cwd, run };
  }

  it("derives the Secret's name from the source file and takes the namespace from the kubeconfig context", async () => {
    expect([".env", ".env.production", "config/prod.env", "Secrets.JSON", "..."].map(deriveSecretName)).toEqual([
      "app-env",
      "app-env-production",
      "prod-env",
      "secrets-json",
      "app",
    ]);
    const { K8S_SECRET_NAMESPACE: _, ...fromContext } = h.env;
    const p = await project({ ".env": "A_KEY=a-value-000000000000\n", "prod.env": "P_KEY=p-value-111111111111\n" }, fromContext);
    expect((await p.run("migrate", "k8s", "--yes")).code).toBe(0);
    expect((await p.run("migrate", "k8s", "prod.env", "--yes")).code).toBe(0);
    expect(Object.keys(h.server.secrets.peek("default", "app-env")?.data ?? {})).toEqual(["A_KEY"]);
    expect(Object.keys(h.server.secrets.peek("default", "prod-env")?.data ?? {})).toEqual(["P_KEY"]);
    // Rollback sees no source: it uses app-env unless told otherwise.
    expect((await p.run("rollback", "k8s", "--last", "--yes", "--secret-name", "prod-env")).code).toBe(0);
    expect(h.server.secrets.peek("default", "prod-env")).toBeUndefined();
  });

  it("refused credentials and missing RBAC verbs are exit 3 before anything is written", async () => {
    const config = await readFile(h.kubeconfig, "utf8");
    for (const [token, message] of [
      ["wrong", /refused the credentials/],
      ["list-only", /denied get secrets "app-env" in namespace "secretshift-test"/],
    ] as const) {
      const dir = await tmpdir();
      await writeFile(join(dir, "kubeconfig"), config.replace("token: good", `token: ${token}`));
      const p = await project({ ".env": "A_KEY=a-value-000000000000\n" }, { ...h.env, KUBECONFIG: join(dir, "kubeconfig") });
      const r = await p.run("migrate", "k8s", "--yes");
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(message);
    }
  });

  it("says what is wrong with the kubeconfig", async () => {
    const dir = await tmpdir();
    const plain = join(dir, "plain-http");
    await writeFile(plain, (await readFile(h.kubeconfig, "utf8")).replace("insecure-skip-tls-verify: true", "insecure-skip-tls-verify: false"));
    const cases: [Record<string, string>, string[], RegExp][] = [
      [{ KUBECONFIG: plain }, [], /plain http/],
      [{ KUBECONFIG: join(dir, "missing") }, [], /none of the files in KUBECONFIG exist/],
      [{}, ["--layout", "sideways"], /--layout must be single or per-secret/],
      [{}, ["--secret-name", "Not_A_Name"], /DNS subdomains/],
      [{ K8S_SECRET_NAMESPACE: "Bad_NS" }, [], /namespace "Bad_NS"/],
    ];
    for (const [env, args, message] of cases) {
      const p = await project({ ".env": "A_KEY=a-value-000000000000\n" }, { ...h.env, ...env });
      const r = await p.run("migrate", "k8s", "--dry-run", ...args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
