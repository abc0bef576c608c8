import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Real servers (PostgreSQL, wire-level vault servers) start per file; give them room on 2 cores.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Most files wait on servers and child processes, not the CPU: on 2 cores vitest's default (cores − 1)
    // runs one file at a time; two halve the suite (~650 s → ~410 s), keeping CI's two runs well inside 30 min.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // What main.ts sets for the CLI from the aws descriptor's processDefaults; in-process runs skip main.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    // The JSON report lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: ["default", ["json", { outputFile: "test-results/vitest.json" }]],
  },
});
