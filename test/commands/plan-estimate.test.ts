import { afterAll, beforeAll, expect, it } from "vitest";
import { startPostgres, type TestPostgres } from "../helpers/postgres.js";
import { runSecrets } from "../helpers/run-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

let server: TestPostgres;
beforeAll(async () => {
  server = await startPostgres();
}, 120_000);
afterAll(async () => server?.stop());

// A clock that jumps 10 s a reading, so the 5 s spacing of plain progress lines lets each one through.
const jumping = () => {
  let t = Date.parse("2026-11-29T00:00:00Z");
  return () => new Date((t += 10_000));
};

it("planning a table shows how far along it is against PostgreSQL's own row estimate, and none with --where", async () => {
  const url = await server.createDatabase("estimate");
  await server.query("CREATE TABLE tokens (id int PRIMARY KEY, token text)", [], "estimate");
  await server.query("INSERT INTO tokens SELECT g, 'tok-' || md5(g::text) FROM generate_series(1, 2500) g", [], "estimate");
  await server.query("ANALYZE tokens", [], "estimate");
  const cwd = await tmpdir();
  const args = ["migrate", "local", "--db", url, "--table", "tokens", "--columns", "token", "--dry-run"];

  const whole = await runSecrets(args, { cwd, now: jumping() });
  expect(whole.code, whole.stderr).toBe(0);
  expect(whole.stderr).toContain("planned 1,000 / ~2,500 secrets…");
  expect(whole.stderr).toContain("planned 2,000 / ~2,500 secrets…");
  // Once the count reaches the estimate, the estimate is no longer shown.
  expect(whole.stderr).not.toMatch(/planned 2,500 \/ ~/);

  const filtered = await runSecrets([...args, "--where", "id > 0"], { cwd, now: jumping() });
  expect(filtered.code, filtered.stderr).toBe(0);
  expect(filtered.stderr).toContain("planned 1,000 secrets…");
  expect(filtered.stderr).not.toContain("~");
});
