import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localCurrentValues } from "../helpers/local-store-file.js";
import { spawnSecrets } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";
import { secretsLine, Terminal } from "../helpers/tmux.js";

const CANARY = "canary-77e1-plan-value";
const KEYS = 250;
const name = (n: number) => `KEY_${String(n).padStart(3, "0")}`;

let term: Terminal;
beforeAll(async () => {
  term = await Terminal.open(`secretshift-plan-${process.pid}`, await tmpdir());
});
afterAll(async () => {
  await term.close();
});

/** More keys than the 200-row table shows, each value carrying the canary. */
async function bigProject(): Promise<string> {
  const cwd = await tmpdir();
  const lines = Array.from({ length: KEYS }, (_, i) => `${name(i + 1)}=${CANARY}-${i + 1}`);
  await writeFile(join(cwd, ".env"), `${lines.join("\n")}\n`);
  expect((await spawnSecrets(["init"], cwd)).code).toBe(0);
  await term.clear();
  await term.type(`cd ${cwd}`);
  await term.clear();
  return cwd;
}

describe("the checkbox of keys to write (tmux)", () => {
  it("every key starts ticked; unticked ones are left out of the run, the rest applied", async () => {
    const cwd = await tmpdir();
    await writeFile(join(cwd, ".env"), `A_KEY=${CANARY}-a\nB_KEY=${CANARY}-b\nC_KEY=${CANARY}-c\n`);
    expect((await spawnSecrets(["init"], cwd)).code).toBe(0);
    await term.clear();
    await term.type(`cd ${cwd}`);
    await term.clear();
    await term.type(secretsLine("migrate local --from .env"));
    const offered = await term.until("Which keys should this run write?");
    expect(offered).toMatch(/A_KEY \(create, \.env:1\)\n.*B_KEY \(create, \.env:2\)\n.*C_KEY/);
    // Untick the second key.
    await term.keys("Down", "Space", "Enter");
    const asked = await term.until("Apply 2 change(s) to local (2 create)?");
    expect(asked).not.toContain(CANARY);
    await term.keys("y", "Enter");
    expect(await term.exitCode()).toBe(0);
    expect(await term.screen()).toContain("applied 2 changes to local");
    const stored = await localCurrentValues(cwd, {});
    expect([...stored.keys()].sort()).toEqual(["A_KEY", "C_KEY"]);
    expect(stored.get("C_KEY")?.value).toBe(`${CANARY}-c`);
  });

  it("a plan with more writes than the checkbox lists names the filter flags instead", async () => {
    await bigProject();
    await term.type(secretsLine("migrate local --from .env"));
    const screen = await term.until("show the full plan");
    expect(screen).toContain("250 changes are too many to tick one by one; to leave keys out, run again with --only or --exclude");
    expect(screen).not.toContain("Which keys should this run write?");
    await term.keys("C-c");
    expect(await term.exitCode()).toBe(130);
  });
});

describe("the confirmation of a plan longer than its table (tmux)", () => {
  it("offers the full plan in a pager, asks again after it, and applies every row", async () => {
    const cwd = await bigProject();
    // less keeps a history file in HOME unless told not to.
    await term.type(secretsLine("migrate local --from .env", "LESSHISTFILE=-"));
    const asked = await term.until("Apply 250 change(s) to local (250 create)?");
    expect(asked).toContain("show the full plan");
    // The cursor starts on the full plan: Enter alone shows it, never applies.
    await term.keys("Enter");
    // less quits at the end of a plan that fits one screen only; this one does not, so jump to its end.
    await term.until(name(1));
    await term.keys("G");
    const end = await term.until("250 create");
    expect(end).toContain(name(KEYS));
    expect(end).not.toContain(CANARY);
    await term.keys("q");
    // Asked again, below what the pager left on the screen.
    await term.until((s) => s.lastIndexOf("Apply 250 change(s)") > s.lastIndexOf(name(KEYS)));
    expect(await localCurrentValues(cwd, {})).toEqual(new Map());
    await term.keys("Up", "Enter");
    expect(await term.exitCode()).toBe(0);
    expect(await term.screen()).toContain("applied 250 changes to local");
    const stored = await localCurrentValues(cwd, {});
    expect(stored.size).toBe(KEYS);
    expect(stored.get(name(KEYS))?.value).toBe(`${CANARY}-${KEYS}`);
  });

  it("without a pager the full plan is printed; cancel and Ctrl-C write nothing", async () => {
    const cwd = await bigProject();
    await term.type(secretsLine("migrate local --from .env", "PAGER=cat"));
    await term.until("Apply 250 change(s) to local (250 create)?");
    await term.keys("Enter");
    const printed = await term.until(/250 create\n[\s\S]*Apply 250 change/);
    expect(printed).toContain(name(KEYS));
    expect(printed).not.toContain(CANARY);
    await term.keys("Down", "Enter");
    expect(await term.exitCode()).toBe(1);
    expect(await term.screen()).toContain("cancelled; nothing was written");
    await term.clear();
    await term.type(secretsLine("migrate local --from .env"));
    await term.until("show the full plan");
    await term.keys("C-c");
    expect(await term.exitCode()).toBe(130);
    expect(await localCurrentValues(cwd, {})).toEqual(new Map());
  });
});
