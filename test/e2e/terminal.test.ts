import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localCurrentValues } from "../helpers/local-store-file.js";
import { spawnSecrets } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";
import { secretsLine, Terminal } from "../helpers/tmux.js";

const ESC = "\u001b[";
const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;
const CANARY = "canary-4b1d-tty-value";

let term: Terminal;
beforeAll(async () => {
  term = await Terminal.open(`secretshift-terminal-${process.pid}`, await tmpdir());
});
afterAll(async () => {
  await term.close();
});

async function project(init = true): Promise<string> {
  const cwd = await tmpdir();
  await writeFile(join(cwd, ".env"), `API_TOKEN=${CANARY}\nDB_URL=postgres://app@db/app\n`);
  await writeFile(join(cwd, "prod.yaml"), `STRIPE_KEY: ${CANARY}-yaml\n`);
  if (init) expect((await spawnSecrets(["init"], cwd)).code).toBe(0);
  await term.clear();
  await term.type(`cd ${cwd}`);
  await term.clear();
  return cwd;
}

/** Every file under the folder with its bytes: "nothing was written" judged from the disk. */
async function bytes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out[join(entry.parentPath, entry.name)] = (await readFile(join(entry.parentPath, entry.name))).toString("base64");
  }
  return out;
}

describe("at a real terminal (tmux)", () => {
  it("a run waiting for the lock says whose it is on a spinner, which is cleared before the result", async () => {
    const cwd = await project();
    const startedAt = new Date(Date.now() - 12_000).toISOString();
    await writeFile(join(cwd, ".secrets/lock"), `${JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt, command: "migrate" })}\n`);
    await term.type(secretsLine("migrate local --yes"));
    const waiting = await term.until(`waiting for pid ${process.pid} (migrate, started`);
    expect(waiting).toMatch(/started 1\d s ago/);
    expect(waiting).toMatch(SPINNER);
    // The holder finishes: an event, not a timer.
    await rm(join(cwd, ".secrets/lock"));
    expect(await term.exitCode()).toBe(0);
    const screen = await term.screen();
    expect(screen).not.toContain("waiting for pid");
    expect(screen).not.toMatch(SPINNER);
    expect(screen).toMatch(/applied 2 changes to local in \d+\.\d s \(run (\S+)\); undo: secrets rollback local --run \1/);
    expect(screen).not.toContain(CANARY);
    const stored = await localCurrentValues(cwd, {});
    expect(stored.get("API_TOKEN")?.value).toBe(CANARY);
  });

  it("Ctrl-C or Esc at each prompt: 'cancelled; nothing was written', exit 130, the folder's bytes unchanged", async () => {
    const fresh = await project(false);
    const untouched = await bytes(fresh);
    await term.type(secretsLine("init"));
    await term.until("starter secretshift.yaml for which provider?");
    await term.keys("C-c");
    expect(await term.exitCode()).toBe(130);
    expect(await term.screen()).toContain("cancelled; nothing was written");
    expect(await bytes(fresh)).toEqual(untouched);

    const cwd = await project();
    const before = await bytes(cwd);
    for (const [keys, question] of [
      [[], "Migrate to which provider?"],
      [["Enter"], "Read secrets from which file?"],
    ] as const) {
      for (const cancel of ["C-c", "Escape"]) {
        await term.clear();
        await term.type(secretsLine("migrate"));
        await term.until("Migrate to which provider?");
        for (const k of keys) await term.keys(k);
        await term.until(question);
        await term.keys(cancel);
        expect(await term.exitCode(), `${cancel} at ${question}`).toBe(130);
        expect(await term.screen()).toContain("cancelled; nothing was written");
        expect(await bytes(cwd), `${cancel} at ${question}`).toEqual(before);
      }
    }

    // At the confirmation the run is journalled (as cancelled), but no vault write happened.
    await term.clear();
    await term.type(secretsLine("migrate local --from .env"));
    await term.until("Which keys should this run write?");
    await term.keys("C-c");
    expect(await term.exitCode()).toBe(130);
    expect(await localCurrentValues(cwd, {})).toEqual(new Map());
    await term.clear();
    await term.type(secretsLine("migrate local --from .env"));
    await term.until("Which keys should this run write?");
    await term.keys("Enter");
    await term.until("Apply 2 change(s) to local (2 create)?");
    await term.keys("C-c");
    expect(await term.exitCode()).toBe(130);
    expect(await term.screen()).not.toContain("error [");
    expect(await localCurrentValues(cwd, {})).toEqual(new Map());
  });

  it("the wizard: migrate with nothing given asks the provider, the file, then confirms and applies", async () => {
    const cwd = await project();
    await term.type(secretsLine("migrate"));
    await term.until("Migrate to which provider?");
    await term.keys("Enter");
    await term.until("Read secrets from which file?");
    // .env is offered first, then the other files found here.
    await term.keys("Down", "Enter");
    await term.until("Apply 1 change(s) to local (1 create)?");
    await term.keys("y", "Enter");
    expect(await term.exitCode()).toBe(0);
    const screen = await term.screen();
    expect(screen).toContain("applied 1 change to local");
    expect(screen).not.toContain(CANARY);
    const stored = await localCurrentValues(cwd, {});
    expect([...stored.keys()]).toEqual(["STRIPE_KEY"]);
    expect(stored.get("STRIPE_KEY")?.value).toBe(`${CANARY}-yaml`);
  });

  it("rotate without a name offers the store's secrets; Ctrl-C there is exit 130 with the folder unchanged", async () => {
    const cwd = await project();
    expect((await spawnSecrets(["migrate", "local", "--yes"], cwd)).code).toBe(0);
    const before = await bytes(cwd);
    await term.type(secretsLine("rotate"));
    await term.until("Rotate which secret on local?");
    await term.keys("C-c");
    expect(await term.exitCode()).toBe(130);
    expect(await bytes(cwd)).toEqual(before);
    await term.clear();
    await term.type(secretsLine("rotate --dry-run"));
    const offered = await term.until("Rotate which secret on local?");
    expect(offered).toMatch(/API_TOKEN\n\s+DB_URL/);
    await term.keys("Down", "Enter");
    expect(await term.exitCode()).toBe(0);
    expect(await term.screen()).toContain("dry run: would rotate DB_URL");
  });

  it("colour at a terminal by default; NO_COLOR and --no-color leave no escape codes, prompts included", async () => {
    await project();
    const coloured = async (line: string) => {
      await term.clear();
      await term.type(line);
      await term.until("Which keys should this run write?");
      await term.keys("Enter");
      await term.until("Apply 2 change(s) to local (2 create)?");
      const screen = await term.screen(true);
      await term.keys("C-c");
      expect(await term.exitCode()).toBe(130);
      return screen.includes(ESC);
    };
    expect(await coloured(secretsLine("migrate local --from .env"))).toBe(true);
    expect(await coloured(secretsLine("migrate local --from .env", "NO_COLOR=1"))).toBe(false);
    expect(await coloured(secretsLine("migrate local --from .env --no-color"))).toBe(false);
  });

  it("CI=true at a terminal: plain lines only, and a missing provider is exit 2 with a hint instead of a question", async () => {
    await project();
    await term.type(secretsLine("migrate local --yes", "CI=true"));
    expect(await term.exitCode()).toBe(0);
    const screen = await term.screen(true);
    expect(screen).not.toContain(ESC);
    expect(screen).not.toMatch(SPINNER);
    expect(screen).toContain("planning against local…");
    await term.clear();
    await term.type(secretsLine("migrate", "CI=true"));
    expect(await term.exitCode()).toBe(2);
    expect(await term.screen()).toContain("hint: secrets migrate <provider>");
  });
});
