import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { BackupWriter } from "../../src/core/backup.js";
import { loadKey } from "../../src/core/crypto.js";
import { Journal } from "../../src/core/journal.js";
import { snapshot } from "../helpers/provider-snapshot.js";
import { parseJson, runSecrets } from "../helpers/run-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

const local = { provider: "local" as const, env: {}, args: [], options: {} };

it("rollback --last after a run killed before its first intent undoes nothing, not the run before it", async () => {
  const cwd = await tmpdir();
  await writeFile(join(cwd, ".env"), "A=first-value-0123456789abcdef\n");
  await runSecrets(["init"], { cwd });
  expect((await runSecrets(["migrate", "local", "--yes"], { cwd })).code).toBe(0);
  const before = await snapshot(local, cwd, "");

  // What a SIGKILL between `run-start` and the first `intent` leaves behind.
  const stateDir = join(cwd, ".secrets");
  const crashed = "20991231T000000-dead00";
  const key = (await loadKey({ env: {}, stateDir })) as Buffer;
  const backup = await BackupWriter.create(stateDir, crashed, key);
  await backup.append({ priors: [] });
  const journal = await Journal.open(stateDir, { now: () => new Date() }, key);
  await journal.append([{ runId: crashed, type: "run-start", command: "migrate", provider: "local" }]);

  const r = await runSecrets(["rollback", "local", "--last", "--yes", "--json"], { cwd });
  expect(r.code, r.stderr).toBe(0);
  expect(parseJson(r).target).toBe(crashed);
  expect(await snapshot(local, cwd, "")).toEqual(before);
});
