import { rmSync } from "node:fs";
import { loadTestServer, projectWith, runCli } from "./test-servers.mjs";

const LATENCY_MS = 10;
const KEY_ID = "AKIDSECRETSHIFTBENCH";

/**
 * Goal (issue 17): a default live migrate sustains ≥ 0.9 of the write quota, whatever it is, with
 * 0 failures. The loopback Secrets Manager's quota is a token bucket that starts full (burst credit
 * of one second's quota), so the sustained rate is counted only from the first throttle, when that
 * credit is spent, to the last write. Validate of the same secrets uses ≤ 0.06 API calls per secret.
 */
export async function run() {
  for (const quota of [50, 200]) {
    const n = Number(process.env.BENCH_AWS_SECONDS ?? 12) * quota;
    for (const concurrency of (process.env.BENCH_AWS_CONCURRENCY ?? "default,1").split(",")) {
      await one(quota, n, concurrency === "default" ? undefined : Number(concurrency));
    }
  }
}

async function one(quota, n, concurrency) {
  const { startAwsServer } = await loadTestServer("aws-secrets-manager");
  const server = await startAwsServer({ accessKeys: [KEY_ID], writeQuota: { perSecond: quota }, latencyMs: LATENCY_MS });
  const env = {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: server.url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: KEY_ID,
    AWS_SECRET_ACCESS_KEY: "bench-secret-access-key",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: "/nonexistent/secretshift-bench/config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/secretshift-bench/credentials",
  };
  const cwd = await projectWith(n, env);
  try {
    const flags = concurrency === undefined ? [] : ["--concurrency", String(concurrency)];
    const {
      result: r,
      spent,
      first,
      last,
    } = await afterBurst(server, () => runCli(["migrate", "aws", "--yes", "--json", "--prefix", "bench/", ...flags], { cwd, env }));
    if (r.code !== 0 && r.code !== 1) throw new Error(`migrate exited ${r.code}: ${r.stderr}`);
    const summary = JSON.parse(r.stdout).summary;
    const label = concurrency === undefined ? "default settings" : `--concurrency ${concurrency}`;
    const head = `quota ${String(quota).padStart(3)}/s, migrate ${n}, ${label.padEnd(16)} ${(r.ms / 1000).toFixed(1).padStart(5)} s`;
    // Never throttled means the quota was never reached: the whole write phase is then the honest rate.
    const from = spent ?? first;
    const rate = ((last.count - from.count) / (last.at - from.at)) * 1000;
    const when = spent ? "after the burst" : "never throttled, all writes";
    const sustained = `${when} ${rate.toFixed(1)}/s = ${(rate / quota).toFixed(2)} of the quota (goal ≥ 0.90)`;
    console.log(`${head}  ${sustained}  failed ${summary.failed} (goal 0)  throttled ${server.stats.throttled}`);
    if (concurrency === undefined && quota === 50) {
      const v = await runCli(["validate", "aws", "--json", "--prefix", "bench/"], { cwd, env });
      if (v.code !== 0) throw new Error(`validate exited ${v.code}: ${v.stderr}`);
      const { apiCalls } = JSON.parse(v.stdout).stats;
      console.log(`validate ${n}: ${apiCalls} API calls = ${(apiCalls / n).toFixed(3)} per secret (goal ≤ 0.06)`);
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
    await server.stop();
  }
}

/** Polls the server while `work` runs: the writes stored at the first throttle and at the last write. */
async function afterBurst(server, work) {
  let spent;
  let first;
  let last = { count: 0, at: 0 };
  const timer = setInterval(() => {
    const count = server.state.secrets.size;
    const at = performance.now();
    if (spent === undefined && server.stats.throttled > 0) spent = { count, at };
    if (first === undefined && count > 0) first = { count, at };
    if (count > last.count) last = { count, at };
  }, 2);
  try {
    return { result: await work(), spent, first, last };
  } finally {
    clearInterval(timer);
  }
}
