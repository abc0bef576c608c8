import { rmSync } from "node:fs";
import { loadTestServer, projectWith, runCli, timeWritePhase } from "./test-servers.mjs";

const N = 2000;
const QUOTA = 200;
const LATENCY_MS = 10;
const KEY_ID = "AKIDSECRETSHIFTBENCH";

/**
 * Goals (issue 3), against the loopback Secrets Manager at 200 writes/s and 10 ms latency: a live
 * migrate of 2,000 secrets achieves ≥ 0.9 of the write quota with 0 failures (`--concurrency 1`,
 * what a sequential tool achieves, for comparison); validate of the same 2,000 uses ≤ 0.06 API
 * calls per secret. The quota is a token bucket that starts full (200 tokens, as AWS's does), so
 * the rate is also shown after that burst: the sustained rate the limiter holds.
 */
export async function run() {
  const { startAwsServer } = await loadTestServer("aws-secrets-manager");
  // The default (4 in flight) is sized for a real account's 50 writes/s; 16 shows the limiter at a 200/s quota.
  for (const concurrency of [undefined, 16, 1]) {
    const server = await startAwsServer({ accessKeys: [KEY_ID], writeQuota: { perSecond: QUOTA }, latencyMs: LATENCY_MS });
    const env = {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: server.url,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: KEY_ID,
      AWS_SECRET_ACCESS_KEY: "bench-secret-access-key",
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_CONFIG_FILE: "/nonexistent/secretshift-bench/config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/secretshift-bench/credentials",
    };
    const cwd = await projectWith(N, env);
    try {
      const flags = concurrency === undefined ? [] : ["--concurrency", String(concurrency)];
      const { result: r, msTo } = await timeWritePhase(
        () => server.state.secrets.size,
        [QUOTA, N],
        () => runCli(["migrate", "aws", "--yes", "--json", "--prefix", "bench/", ...flags], { cwd, env }),
      );
      if (r.code !== 0 && r.code !== 1) throw new Error(`migrate exited ${r.code}: ${r.stderr}`);
      const summary = JSON.parse(r.stdout).summary;
      const overall = ((N - 1) / msTo(N)) * 1000;
      const sustained = ((N - QUOTA) / (msTo(N) - msTo(QUOTA))) * 1000;
      const label = concurrency === undefined ? "default concurrency" : `--concurrency ${concurrency}`;
      console.log(
        `migrate ${N}, ${label.padEnd(19)} ${(r.ms / 1000).toFixed(1).padStart(5)} s  writes ${overall.toFixed(0)}/s, after the burst ${sustained.toFixed(0)}/s = ` +
          `${(sustained / QUOTA).toFixed(2)} of the ${QUOTA}/s quota (goal ≥ 0.9)  failed ${summary.failed} (goal 0)  throttled ${server.stats.throttled}`,
      );
      if (concurrency === undefined) {
        const v = await runCli(["validate", "aws", "--json", "--prefix", "bench/"], { cwd, env });
        if (v.code !== 0) throw new Error(`validate exited ${v.code}: ${v.stderr}`);
        const { apiCalls } = JSON.parse(v.stdout).stats;
        console.log(`validate ${N}                                ${apiCalls} API calls = ${(apiCalls / N).toFixed(3)} per secret (goal ≤ 0.06)`);
      }
    } finally {
      rmSync(cwd, { recursive: true, force: true });
      await server.stop();
    }
  }
}
