import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type AwsHarness, startAwsHarness } from "../helpers/aws-harness.js";
import { localCurrentValues } from "../helpers/local-store-file.js";
import { runSecrets } from "../helpers/run-cli.js";
import { spawnSecrets } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

/** COPY_COUNT=20000 for the README's figure; the suite's default keeps the run short. */
const COUNT = Number(process.env.COPY_COUNT ?? 5_000);
const MAX_RSS = fileURLToPath(new URL("../helpers/max-rss.mjs", import.meta.url));
const seeded = (i: number) => `value-${i.toString(36).padStart(6, "0")}-${"x".repeat(40)}`;

let aws: AwsHarness;
beforeAll(async () => {
  aws = await startAwsHarness();
  // Seeded in the server's own model: 20,000 CreateSecret calls would only test the server.
  const now = new Date();
  for (let i = 0; i < COUNT; i++) aws.server.state.addVersion(aws.server.state.create(`big/s${i}`, now), `v-${i}`, { string: seeded(i) }, undefined, now);
});
afterAll(async () => aws?.stop());

it(`streams a copy of ${COUNT} secrets from AWS into a local store, every value exact, and reports its peak memory`, async () => {
  const cwd = await tmpdir();
  expect((await runSecrets(["init"], { cwd })).code).toBe(0);
  const rssFile = join(cwd, "max-rss");
  const env = { ...aws.env, NODE_OPTIONS: `--import ${MAX_RSS}`, SECRETSHIFT_MAX_RSS_FILE: rssFile };
  const r = await spawnSecrets(["migrate", "local", "--from-provider", "aws", "--from-prefix", "big/", "--yes", "--json"], cwd, env);
  expect(r.code, r.stderr).toBe(0);
  expect(JSON.parse(r.stdout).summary).toMatchObject({ create: COUNT, failed: 0 });
  const copied = await localCurrentValues(cwd, {});
  expect(copied.size).toBe(COUNT);
  for (let i = 0; i < COUNT; i++) expect(copied.get(`s${i}`)?.value).toBe(seeded(i));
  expect(aws.server.writes).toBe(0);
  const peak = Number(await readFile(rssFile, "utf8"));
  console.log(`copy of ${COUNT} secrets: peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB`);
  // Generous: the point is that it does not grow with the source (values held one batch at a time).
  expect(peak).toBeLessThan(512 * 2 ** 20);
}, 600_000);
