import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { ProviderFactory } from "../../src/core/deps.js";
import { createProvider } from "../../src/providers/index.js";
import type { SecretStore } from "../../src/providers/types.js";
import { canary } from "../helpers/command-suite.js";
import { parseJson, runSecrets } from "../helpers/run-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

type Doc = Record<string, unknown>;
const FIXTURE = join(import.meta.dirname, "../../fixtures/export-k8s/eso-example.yaml");

/** Every field path of a document (`spec.data[].remoteRef.key`), leaves only. */
function paths(value: unknown, prefix = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => paths(v, `${prefix}[]`));
  if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([k, v]) => paths(v, prefix ? `${prefix}.${k}` : k));
  return [prefix];
}

const esoFields = (d: Doc) => paths({ apiVersion: d.apiVersion, kind: d.kind, spec: d.spec });
/** Documents of a multi-document YAML; a missing one is an empty object, so field checks fail plainly. */
const docsOf = (text: string): [Doc, Doc, ...Doc[]] => {
  const docs = parseAllDocuments(text).map((d) => d.toJS() as Doc);
  return [docs[0] ?? {}, docs[1] ?? {}, ...docs.slice(2)];
};
const providerKey = (d: Doc) => Object.keys((d.spec as { provider?: object } | undefined)?.provider ?? {})[0];

/**
 * GCP and Azure name rules as their providers state them, so the test does not depend on those
 * SDKs: only `checkName` is used by export, and the store is never connected.
 */
function nameOnlyStore(map: (name: string) => string): SecretStore {
  return { checkName: (name: string) => ({ stored: map(name) }), close: async () => {} } as unknown as SecretStore;
}
const providers: ProviderFactory = async (name, ctx) => {
  if (name === "gcp") return nameOnlyStore((n) => n.replaceAll("/", "__"));
  if (name === "azure") return nameOnlyStore((n) => n.replaceAll("/", "--").replaceAll("_", "-"));
  return createProvider(name, ctx);
};

async function project(files: Record<string, string>) {
  const cwd = await tmpdir();
  for (const [name, content] of Object.entries(files)) await writeFile(join(cwd, name), content);
  // Nothing listens on port 9: export must never contact the provider.
  const env = {
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "AKIDEXPORTTEST",
    AWS_SECRET_ACCESS_KEY: canary("awskey"),
    VAULT_ADDR: "http://127.0.0.1:9",
    VAULT_TOKEN: canary("vaulttoken"),
  };
  return { cwd, env, run: (...args: string[]) => runSecrets(args, { cwd, env, providers }) };
}

const expected = {
  aws: { store: "aws", key: "myapp/API_KEY", property: undefined },
  vault: { store: "vault", key: "myapp/API_KEY", property: "value" },
  gcp: { store: "gcpsm", key: "myapp__API_KEY", property: undefined },
  azure: { store: "azurekv", key: "myapp--API-KEY", property: undefined },
} as const;

describe("secrets export k8s", async () => {
  const fixture = parseAllDocuments(await readFile(FIXTURE, "utf8")).map((d) => d.toJS() as Doc);

  for (const [provider, want] of Object.entries(expected)) {
    it(`--provider ${provider}: a SecretStore and an ExternalSecret using only ESO's documented fields`, async () => {
      const apiKey = canary("api");
      const p = await project({ ".env": `API_KEY=${apiKey}\nDB_PASSWORD=${canary("db")}\n` });
      const r = await p.run("export", "k8s", "--provider", provider, "--prefix", "myapp/", "--output", "eso.yaml");
      expect(r.code, r.stderr).toBe(0);
      const text = await readFile(join(p.cwd, "eso.yaml"), "utf8");
      for (const secret of [apiKey, p.env.AWS_SECRET_ACCESS_KEY, p.env.VAULT_TOKEN]) expect(text + r.stdout + r.stderr).not.toContain(secret);
      const [store, external, ...rest] = docsOf(text);
      expect(rest).toEqual([]);
      expect([store.apiVersion, store.kind, external.apiVersion, external.kind]).toEqual([
        "external-secrets.io/v1",
        "SecretStore",
        "external-secrets.io/v1",
        "ExternalSecret",
      ]);

      // Validated against ESO's documented examples: every field we write is one they use.
      const documentedStore = fixture.find((d) => d.kind === "SecretStore" && providerKey(d) === want.store) as Doc;
      const documentedExternal = fixture.find((d) => d.kind === "ExternalSecret") as Doc;
      expect(providerKey(store)).toBe(want.store);
      expect(esoFields(store).filter((f) => !esoFields(documentedStore).includes(f))).toEqual([]);
      expect(esoFields(external).filter((f) => !esoFields(documentedExternal).includes(f))).toEqual([]);

      const spec = external.spec as {
        secretStoreRef: { name: string; kind: string };
        target: { name: string };
        data: { secretKey: string; remoteRef: { key: string; property?: string } }[];
      };
      expect(spec.secretStoreRef).toEqual({ name: (store.metadata as { name: string }).name, kind: "SecretStore" });
      expect(spec.target.name).toBe("app-env");
      expect(spec.data.map((d) => d.secretKey)).toEqual(["API_KEY", "DB_PASSWORD"]);
      expect(spec.data[0]?.remoteRef).toEqual({ key: want.key, ...(want.property ? { property: want.property } : {}) });
    });
  }

  it("takes the store's settings from the provider's flags and environment, and prints to stdout", async () => {
    const p = await project({ "config.json": JSON.stringify({ db: { password: "pw-value-000000000000" } }) });
    const r = await p.run(
      "export",
      "k8s",
      "config.json",
      "--provider",
      "vault",
      "--mount",
      "kv/",
      "--kv-version",
      "1",
      "--namespace",
      "team-a",
      "--field",
      "secret",
      "--secret-name",
      "db-creds",
    );
    expect(r.code, r.stderr).toBe(0);
    const [store, external] = docsOf(r.stdout);
    expect((store.spec as { provider: unknown }).provider).toEqual({
      vault: {
        server: "http://127.0.0.1:9",
        path: "kv",
        version: "v1",
        namespace: "team-a",
        auth: { tokenSecretRef: { name: "replace-me-vault-token", key: "token" } },
      },
    });
    expect((external.spec as { target: unknown; data: unknown }).data).toEqual([
      { secretKey: "db__password", remoteRef: { key: "db/password", property: "secret" } },
    ]);
    expect((external.metadata as { name: string }).name).toBe("db-creds");

    const json = await p.run("export", "k8s", "config.json", "--provider", "aws", "--json");
    expect(parseJson(json)).toMatchObject({ command: "export k8s", provider: "aws", target: "config-json", entries: 1 });
  });

  it("refuses names the provider cannot hold, and providers ESO is not asked about here", async () => {
    const p = await project({ "odd.json": JSON.stringify({ "has space": "v-000000000000000000" }) });
    const bad = await p.run("export", "k8s", "odd.json", "--provider", "aws");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("has space");
    expect((await p.run("export", "k8s", "odd.json", "--provider", "local")).code).toBe(2);
    expect((await p.run("export", "k8s", "odd.json")).code).toBe(2);
  });
});
