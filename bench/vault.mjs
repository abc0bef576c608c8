import { rmSync } from "node:fs";
import { loadTestServer, projectWith, runCli } from "./test-servers.mjs";

const N = 2000;
const LATENCY_MS = 5;

/**
 * Migrate of 2,000 secrets into KV v2 on the loopback Vault with 5 ms latency per request, at the
 * default concurrency and with `--concurrency 1` for comparison. Each secret costs a read while
 * planning, the check-and-set write and the custom_metadata patch. Times are end to end (process
 * start, reads, backup, writes).
 */
export async function run() {
  const { startVaultServer } = await loadTestServer("vault");
  const results = [];
  for (const concurrency of [undefined, 1]) {
    const server = await startVaultServer({ latencyMs: LATENCY_MS });
    const env = { VAULT_ADDR: server.url, VAULT_TOKEN: server.rootToken };
    const cwd = await projectWith(N, env);
    try {
      const flags = concurrency === undefined ? [] : ["--concurrency", String(concurrency)];
      const r = await runCli(["migrate", "vault", "--yes", "--json", "--mount", server.mounts.kv2, "--prefix", "bench/", ...flags], { cwd, env });
      if (r.code !== 0) throw new Error(`migrate exited ${r.code}: ${r.stderr}`);
      const doc = JSON.parse(r.stdout);
      const rate = (N / r.ms) * 1000;
      results.push(rate);
      const label = concurrency === undefined ? "default concurrency" : `--concurrency ${concurrency}`;
      console.log(
        `migrate ${N} into KV v2, ${label.padEnd(19)} ${(r.ms / 1000).toFixed(1).padStart(5)} s  ${rate.toFixed(0)} secrets/s  ${doc.stats.apiCalls} API calls  failed ${doc.summary.failed}`,
      );
    } finally {
      rmSync(cwd, { recursive: true, force: true });
      await server.stop();
    }
  }
  const [parallel = Number.NaN, sequential = Number.NaN] = results;
  console.log(`default concurrency / --concurrency 1: ${(parallel / sequential).toFixed(1)}×`);
}
