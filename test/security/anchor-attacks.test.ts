import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveKey, subkey } from "../../src/core/crypto.js";
import { signLine } from "../../src/core/journal-chain.js";
import { writeHead } from "../../src/core/journal-head.js";
import { startAwsHarness } from "../helpers/aws-harness.js";
import { startAzureHarness } from "../helpers/azure-harness.js";
import { startGcpHarness } from "../helpers/gcp-harness.js";
import { startK8sHarness } from "../helpers/k8s-harness.js";
import { spawnSecrets } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";
import { startVaultHarness } from "../helpers/vault-harness.js";

/** The dedicated `secretshift` entry as the test server holds it: its metadata, and whether it holds any value. */
interface Entry {
  readonly metadata: Record<string, string>;
  readonly value: string | undefined;
}

interface Remote {
  readonly provider: string;
  readonly env: Record<string, string>;
  readonly args: readonly string[];
  /** Whether a secret named `secretshift` would land on the anchor entry (not a key inside k8s's one Secret). */
  readonly clashes: boolean;
  entry(): Entry | undefined;
  stop(): Promise<void>;
}

const remotes: [string, () => Promise<Remote>][] = [
  [
    "aws (tags)",
    async () => {
      const h = await startAwsHarness();
      const entry = () => {
        const s = h.server.state.find("secretshift");
        return s && { metadata: Object.fromEntries(s.tags), value: h.server.versions("secretshift").length === 0 ? undefined : "a version" };
      };
      return { provider: "aws", env: h.env, args: [], clashes: true, entry, stop: () => h.stop() };
    },
  ],
  [
    "vault KV v2 (custom_metadata)",
    async () => {
      const h = await startVaultHarness({ kvVersion: 2 });
      const entry = () => {
        const key = [...h.server.kv2.keys].find(([path]) => path.endsWith("secretshift"))?.[1];
        return key && { metadata: { ...key.custom }, value: key.versions.size === 0 ? undefined : "a version" };
      };
      return { provider: "vault", env: h.env, args: h.args, clashes: true, entry, stop: () => h.stop() };
    },
  ],
  [
    "vault KV v1 (fields)",
    async () => {
      const h = await startVaultHarness({ kvVersion: 1 });
      const entry = () => {
        const data = [...h.server.kv1.entries].find(([path]) => path.endsWith("secretshift"))?.[1];
        return data && { metadata: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, String(v)])), value: undefined };
      };
      return { provider: "vault", env: h.env, args: h.args, clashes: true, entry, stop: () => h.stop() };
    },
  ],
  [
    "k8s (annotations)",
    async () => {
      const h = await startK8sHarness();
      const entry = () => {
        const s = h.server.secrets.peek(h.namespace, "secretshift");
        return s && { metadata: { ...s.metadata.annotations }, value: Object.keys(s.data ?? {}).length ? "data" : undefined };
      };
      return { provider: "k8s", env: h.env, args: h.args, clashes: false, entry, stop: () => h.stop() };
    },
  ],
  [
    "gcp (annotations)",
    async () => {
      const h = await startGcpHarness();
      const entry = () => {
        const s = h.server.model.secrets.get("secretshift");
        return s && { metadata: { ...s.annotations }, value: s.versions.length ? "a version" : undefined };
      };
      return { provider: "gcp", env: h.env, args: h.args, clashes: true, entry, stop: () => h.stop() };
    },
  ],
  [
    "azure (tags)",
    async () => {
      const h = await startAzureHarness();
      const entry = () => {
        const s = h.server.model.secrets.get("secretshift");
        const latest = s?.versions.at(-1);
        // Key Vault secrets always have a value: ours only says what the entry is for.
        return latest && { metadata: { ...latest.tags }, value: latest.value.includes("not a secret") ? undefined : latest.value };
      };
      return { provider: "azure", env: h.env, args: [], clashes: true, entry, stop: () => h.stop() };
    },
  ],
];

const VALUES = { FIRST_SECRET: "first-value-CANARY-0123456789abcdef", SECOND_SECRET: "second-value-CANARY-0123456789abcd" };

for (const [label, start] of remotes) {
  describe(`journal anchor in ${label}`, () => {
    let remote: Remote;
    beforeAll(async () => {
      remote = await start();
    }, 60_000);
    afterAll(async () => remote?.stop());

    let projects = 0;
    /** A project with two migrate runs to the remote; its own name prefix keeps each test's runs writing. */
    async function project() {
      const cwd = await tmpdir();
      const prefix = ["--prefix", `t${projects++}-`];
      const extra = (command: string | undefined) => (command === "init" ? [] : command === "migrate" ? [...remote.args, ...prefix] : remote.args);
      const run = (...args: string[]) => spawnSecrets([...args, ...extra(args[0])], cwd, remote.env);
      const ok = async (...args: string[]) => {
        const r = await run(...args);
        expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
        return r;
      };
      await writeFile(join(cwd, ".env"), `FIRST_SECRET=${VALUES.FIRST_SECRET}\n`);
      await ok("init");
      await ok("migrate", remote.provider, "--yes");
      await writeFile(join(cwd, ".env"), `FIRST_SECRET=${VALUES.FIRST_SECRET}\nSECOND_SECRET=${VALUES.SECOND_SECRET}\n`);
      await ok("migrate", remote.provider, "--yes");
      return { cwd, run, ok, state: (f: string) => join(cwd, ".secrets", f) };
    }

    it("each run's end is recorded on the secretshift entry (a seq, a MAC and a run id; no value), and verify --provider matches it", async () => {
      const p = await project();
      const entry = remote.entry();
      expect(entry?.value).toBeUndefined();
      const anchors = Object.entries(entry?.metadata ?? {}).filter(([k]) => k.includes("journal"));
      expect(anchors).toHaveLength(1);
      const journal = (await readFile(p.state("journal.jsonl"), "utf8")).trim().split("\n");
      const lastEnd = journal
        .map((l) => JSON.parse(l))
        .filter((e) => e.type === "run-end")
        .at(-1);
      expect(anchors[0]?.[1]).toBe(`${lastEnd.seq}:${lastEnd.mac}:${lastEnd.runId}`);
      for (const value of Object.values(VALUES)) expect(JSON.stringify(entry)).not.toContain(value);
      const r = await p.ok("journal", "verify", "--provider", remote.provider);
      expect(r.stdout).toMatch(new RegExp(`; line ${lastEnd.seq} matches the anchor in `));
    });

    it("the entry is no secret: hidden from validate --exact, and its name cannot be migrated", async () => {
      const p = await project();
      const exact = await spawnSecrets(["validate", remote.provider, "--exact", "--json", ...remote.args], p.cwd, remote.env);
      expect(exact.stdout).not.toContain('"secretshift"');
      if (!remote.clashes) return;
      await writeFile(join(p.cwd, ".env"), "secretshift=would-overwrite-the-anchor-0123456789\n");
      const clash = await spawnSecrets(["migrate", remote.provider, "--yes", "--json", ...remote.args], p.cwd, remote.env);
      expect(clash.code).toBe(1);
      expect(JSON.parse(clash.stdout).items[0]).toMatchObject({
        action: "invalid",
        error: expect.stringContaining("reserved for secretshift's journal anchor"),
      });
    });

    it("an attacker WITH the key who drops the last run and re-signs the journal passes the local check, not the anchor", async () => {
      const p = await project();
      const key = subkey(deriveKey((await readFile(p.state("key"), "utf8")).trim()), "journal");
      const entries = (await readFile(p.state("journal.jsonl"), "utf8"))
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      const lastRun = entries.filter((e) => e.type === "run-end").at(-1).runId;
      let prev = "0".repeat(64);
      const forged = entries
        .filter((e) => e.runId !== lastRun)
        .map(({ mac: _m, prev: _p, ...e }, i) => {
          const line = signLine(key, JSON.stringify({ ...e, seq: i + 1, prev }));
          prev = JSON.parse(line).mac;
          return line;
        });
      await writeFile(p.state("journal.jsonl"), forged.map((l) => `${l}\n`).join(""));
      await writeHead(p.state(""), key, { seq: forged.length, last: prev, stores: {} });
      expect((await p.run("journal", "verify")).code).toBe(0);
      const anchored = await p.run("journal", "verify", "--provider", remote.provider);
      expect(anchored.code).toBe(1);
      expect(anchored.stdout).toMatch(/^journal tampered: .*records line \d+ \(end of run .*\), but the journal has only \d+ lines: it was cut short$/m);

      // The same length, one early line changed and every line after it re-signed: rewritten, not cut.
      prev = "0".repeat(64);
      const rewritten = entries.map(({ mac: _m, prev: _p, ...e }, i) => {
        const line = signLine(key, JSON.stringify({ ...e, ...(i === 1 ? { ts: "2000-01-01T00:00:00.000Z" } : {}), prev }));
        prev = JSON.parse(line).mac;
        return line;
      });
      await writeFile(p.state("journal.jsonl"), rewritten.map((l) => `${l}\n`).join(""));
      await writeHead(p.state(""), key, { seq: rewritten.length, last: prev, stores: {} });
      expect((await p.run("journal", "verify")).code).toBe(0);
      const again = await p.run("journal", "verify", "--provider", remote.provider);
      expect(again.code).toBe(1);
      expect(again.stdout).toMatch(/, and line \d+ of the journal is not that line: the journal was rewritten$/m);
    });
  });
}

describe("an anchor that cannot be written", () => {
  it("is a warning, not a failed run; verify --provider then reports the missing anchor", async () => {
    // Reading the entry is allowed, writing it is not.
    const h = await startAwsHarness({ denied: ["TagResource:secretshift", "CreateSecret:secretshift"] });
    try {
      const cwd = await tmpdir();
      await writeFile(join(cwd, ".env"), `FIRST_SECRET=${VALUES.FIRST_SECRET}\n`);
      expect((await spawnSecrets(["init"], cwd, h.env)).code).toBe(0);
      const run = await spawnSecrets(["migrate", "aws", "--yes"], cwd, h.env);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain("warning: could not record the journal anchor in aws");
      const verify = await spawnSecrets(["journal", "verify", "--provider", "aws"], cwd, h.env);
      expect(verify.code).toBe(1);
      expect(verify.stdout).toMatch(/holds no anchor for this journal \(\w+\), though 1 run\(s\) ended on aws/);
    } finally {
      await h.stop();
    }
  });
});
