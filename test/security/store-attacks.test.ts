import { copyFile, readFile, rm, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { attackProject, ORIGINAL } from "../helpers/attack-project.js";
import { storeDocument } from "../helpers/local-store-file.js";

/** A project whose S was rotated once: current is version 2, previous (ORIGINAL) is version 1. */
async function rotated() {
  const p = await attackProject();
  await copyFile(p.state("store.enc"), `${p.cwd}/store-before-rotation.enc`);
  await p.ok(["rotate", "S", "--yes"]);
  const current = (await p.ok(["get", "S", "--reveal"])).stdout.trim();
  expect(current).not.toBe(ORIGINAL);
  return { ...p, current };
}

/** What every reader must do with a tampered store: refuse (exit 2, STORE_TAMPERED) and never print the old value. */
async function refusedEverywhere(p: Awaited<ReturnType<typeof rotated>>, reason: RegExp) {
  for (const args of [
    ["get", "S", "--reveal"],
    ["validate", "local"],
    ["rotate", "S", "--yes"],
    ["migrate", "local", "--dry-run"],
  ]) {
    const r = await p.secrets(args);
    expect(r.code, args.join(" ")).toBe(2);
    expect(r.stderr, args.join(" ")).toMatch(/error \[STORE_TAMPERED\]/);
    expect(r.stderr).toMatch(reason);
    expect(r.stdout + r.stderr).not.toContain(ORIGINAL);
  }
}

describe("the local store's labels and generation are authenticated", () => {
  it("swapping current and previous in store.enc: every reader refuses it, exit 2", async () => {
    const p = await rotated();
    const text = await readFile(p.state("store.enc"), "utf8");
    const swapped = text.replace(/"labels":\{"current":"(\d+)","previous":"(\d+)"\}/, '"labels":{"current":"$2","previous":"$1"}');
    expect(swapped).not.toBe(text);
    await writeFile(p.state("store.enc"), swapped);
    await refusedEverywhere(p, /MAC does not verify/);
    expect((await p.secrets(["journal", "verify"])).code).toBe(1);
  });

  it("putting back the store.enc from before the rotation (intact, older): refused as an older generation", async () => {
    const p = await rotated();
    await copyFile(`${p.cwd}/store-before-rotation.enc`, p.state("store.enc"));
    await refusedEverywhere(p, /generation 2, but the journal recorded generation 4: an older copy was put back/);
    const verify = await p.secrets(["journal", "verify"]);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain("an older copy was put back");
  });

  it("stripping the seal (the unsealed 0.1 format) is refused, not read", async () => {
    const p = await rotated();
    const text = await readFile(p.state("store.enc"), "utf8");
    const document = JSON.stringify({ format: "secretshift-store/1", ...storeDocument(text) }).replace(
      /"labels":\{"current":"(\d+)","previous":"(\d+)"\}/,
      '"labels":{"current":"$2","previous":"$1"}',
    );
    await writeFile(p.state("store.enc"), document);
    const r = await p.secrets(["get", "S", "--reveal"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("STORE_UNSEALED");
    expect(r.stdout).not.toContain(ORIGINAL);
    // and `journal upgrade` will not seal a store the journal knows was sealed before
    const upgrade = await p.secrets(["journal", "upgrade"]);
    expect(upgrade.code).toBe(1);
    expect(upgrade.stderr).toContain("UPGRADE_REFUSED");
  });

  it("deleting store.enc after the journal recorded it: refused, not silently an empty store", async () => {
    const p = await rotated();
    await writeFile(p.state("store.enc"), "");
    const empty = await p.secrets(["get", "S"]);
    expect(empty.code).toBe(2);
    await rm(p.state("store.enc"));
    const gone = await p.secrets(["migrate", "local", "--dry-run"]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/STORE_TAMPERED.*it is missing, but the journal recorded generation 4 of it/);
  });

  it("dropping a patch line from the middle of store.enc breaks the MAC chain: refused", async () => {
    const p = await rotated();
    const lines = (await readFile(p.state("store.enc"), "utf8")).split("\n");
    expect(lines.length).toBeGreaterThan(4); // header, snapshot, at least two patches, the final newline
    lines.splice(2, 1);
    await writeFile(p.state("store.enc"), lines.join("\n"));
    await refusedEverywhere(p, /MAC does not verify/);
  });

  it("cutting the last patch lines off store.enc (an older, intact prefix): refused as an older generation", async () => {
    const p = await rotated();
    const lines = (await readFile(p.state("store.enc"), "utf8")).split("\n");
    await writeFile(p.state("store.enc"), `${lines.slice(0, 3).join("\n")}\n`);
    await refusedEverywhere(p, /but the journal recorded generation \d+: an older copy was put back/);
  });

  it("a torn last line (an append cut short) is ignored, and the next write cuts it before appending", async () => {
    const p = await rotated();
    const intact = await readFile(p.state("store.enc"), "utf8");
    await writeFile(p.state("store.enc"), `${intact}{"generation":99,"mac":"half`);
    expect((await p.ok(["get", "S", "--reveal"])).stdout.trim()).toBe(p.current);
    await p.ok(["rotate", "S", "--yes"]);
    const after = await readFile(p.state("store.enc"), "utf8");
    expect(after.startsWith(intact)).toBe(true);
    expect(after).not.toContain("half");
    expect(after.endsWith("\n")).toBe(true);
    expect((await p.secrets(["journal", "verify"])).code).toBe(0);
  });
});
