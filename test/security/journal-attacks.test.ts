import { createHash, createSecretKey, randomBytes } from "node:crypto";
import { cp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { signLine } from "../../src/core/journal-chain.js";
import { writeHead } from "../../src/core/journal-head.js";
import { attackProject, lines } from "../helpers/attack-project.js";

// Each test attacks the state a real run left, then asks the built CLI whether it notices.

/** The lines without run `runId`, renumbered and chained again by `sign` (the attacker's best effort). */
function dropRun(all: string[], runId: string, sign: (body: string, prev: string) => { line: string; next: string }): string[] {
  let prev = "0".repeat(64);
  return all
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((e) => e.runId !== runId)
    .map((e, i) => {
      const { mac: _mac, prev: _prev, ...rest } = e;
      const { line, next } = sign(JSON.stringify({ ...rest, seq: i + 1, prev }), prev);
      prev = next;
      return line;
    });
}

async function rotated() {
  const p = await attackProject();
  await p.ok(["rotate", "S", "--yes"]);
  const rotation = (await lines(p.state("journal.jsonl"))).map((l) => JSON.parse(l)).find((e) => e.command === "rotate")?.runId as string;
  return { ...p, rotation };
}

describe("the journal cannot be rewritten without the key", () => {
  it("dropping a whole run and re-signing every line and the head with another key: verify fails, exit 1", async () => {
    const p = await rotated();
    const guess = createSecretKey(randomBytes(32));
    const forged = dropRun(await lines(p.state("journal.jsonl")), p.rotation, (body) => {
      const line = signLine(guess, body);
      return { line, next: JSON.parse(line).mac };
    });
    await writeFile(p.state("journal.jsonl"), forged.map((l) => `${l}\n`).join(""));
    await writeHead(p.state(""), guess, { seq: forged.length, last: JSON.parse(forged.at(-1) ?? "{}").mac, stores: {} });
    const r = await p.secrets(["journal", "verify"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^journal tampered: line 1 does not verify/m);
  });

  it("dropping a run and rebuilding the unkeyed SHA-256 chain of secretshift 0.1 (the reported attack): exit 1, not 'ok'", async () => {
    const p = await rotated();
    const sha = (s: string) => createHash("sha256").update(s).digest("hex");
    const forged = dropRun(await lines(p.state("journal.jsonl")), p.rotation, (body) => ({ line: body, next: sha(body) }));
    await writeFile(p.state("journal.jsonl"), forged.map((l) => `${l}\n`).join(""));
    await writeFile(p.state("journal.head"), `${JSON.stringify({ seq: forged.length, hash: sha(forged.at(-1) ?? "") })}\n`);
    const r = await p.secrets(["journal", "verify"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("journal tampered: journal.jsonl is in the unkeyed 0.1 format");
    // and the forgery cannot be blessed by the upgrade path either
    const upgrade = await p.secrets(["journal", "upgrade"]);
    expect(upgrade.code).toBe(1);
    expect(upgrade.stderr).toContain("UPGRADE_REFUSED");
    // nor used by a live run
    const live = await p.secrets(["rotate", "S", "--yes"]);
    expect(live.code).toBe(2);
    expect(live.stderr).toContain("JOURNAL_UNKEYED");
  });

  it("editing one field of one line, keeping its old MAC: exit 1 naming that line", async () => {
    const p = await rotated();
    const all = await lines(p.state("journal.jsonl"));
    const at = all.findIndex((l) => l.includes('"type":"run-start"') && l.includes('"rotate"'));
    all[at] = (all[at] ?? "").replace('"command":"rotate"', '"command":"rotatX"');
    await writeFile(p.state("journal.jsonl"), all.map((l) => `${l}\n`).join(""));
    const r = await p.secrets(["journal", "verify", "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, line: at + 1 });
  });

  it("editing journal.head (claiming fewer lines) without the key: exit 1", async () => {
    const p = await rotated();
    const head = JSON.parse(await readFile(p.state("journal.head"), "utf8"));
    await writeFile(p.state("journal.head"), `${JSON.stringify({ ...head, seq: head.seq - 2 })}\n`);
    const r = await p.secrets(["journal", "verify"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("journal.head does not verify");
  });
});

describe("deleting the journal is noticed while the state folder shows activity", () => {
  it("journal and head both deleted: exit 1 naming the store and the backups", async () => {
    const p = await rotated();
    await rm(p.state("journal.jsonl"));
    await rm(p.state("journal.head"));
    const r = await p.secrets(["journal", "verify"]);
    expect(r.code).toBe(1);
    const backups = (await readdir(p.state("backups"))).length;
    expect(r.stdout).toContain(`journal.jsonl and journal.head are missing, but ${p.state("store.enc")} exists and ${backups} backup(s) exist`);
  });

  it("journal, head and store deleted: the backups still give it away", async () => {
    const p = await rotated();
    for (const f of ["journal.jsonl", "journal.head", "store.enc"]) await rm(p.state(f));
    const r = await p.secrets(["journal", "verify"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/missing, but \d+ backup\(s\) exist/);
  });

  it("journal, head and backups deleted: the store gives it away", async () => {
    const p = await rotated();
    for (const f of ["journal.jsonl", "journal.head", "backups"]) await rm(p.state(f), { recursive: true });
    const r = await p.secrets(["journal", "verify"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`journal.jsonl and journal.head are missing, but ${p.state("store.enc")} exists: the journal was deleted`);
  });

  it("a limit: a journal cut back to a journal.head kept from earlier verifies, with a warning once the store moved on", async () => {
    const p = await attackProject();
    const keptJournal = await readFile(p.state("journal.jsonl"));
    const keptHead = await readFile(p.state("journal.head"));
    await p.ok(["rotate", "S", "--yes"]);
    await writeFile(p.state("journal.jsonl"), keptJournal);
    await writeFile(p.state("journal.head"), keptHead);
    const r = await p.secrets(["journal", "verify"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: the journal recorded generation 2 of .*store\.enc: .*or the journal was cut back to an older head/);
  });

  it("only the journal deleted, or only the head: exit 1", async () => {
    const p = await rotated();
    const copy = `${p.cwd}-copy`;
    await cp(p.cwd, copy, { recursive: true });
    await rm(p.state("journal.jsonl"));
    const noJournal = await p.secrets(["journal", "verify"]);
    expect(noJournal.code).toBe(1);
    expect(noJournal.stdout).toMatch(/journal ends at line 0 but journal.head records \d+/);
    await cp(`${copy}/.secrets/journal.jsonl`, p.state("journal.jsonl"));
    await rm(p.state("journal.head"));
    const noHead = await p.secrets(["journal", "verify"]);
    expect(noHead.code).toBe(1);
    expect(noHead.stdout).toContain("journal.head is missing");
    await rm(copy, { recursive: true, force: true });
  });

  it("an intact state verifies, and reading the journal needs no key", async () => {
    const p = await rotated();
    const r = await p.secrets(["journal", "verify"]);
    expect(r.code, r.stderr).toBe(0);
    // generation 1 from the migrate, 2 and 3 from the rotation (pending, then promoted)
    expect(r.stdout).toMatch(/^journal ok: \d+ lines, every line authenticated and chained; .*store\.enc is generation 4, as recorded$/m);
    await rm(p.state("key"));
    const list = await p.secrets(["journal", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("rotate");
    expect(list.stderr).toContain("shown without verification (no key)");
    expect((await p.secrets(["journal", "verify"])).code).toBe(2);
  });
});
