import { chmod, mkdir, readdir, readFile, rename, rm, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { attackProject } from "../helpers/attack-project.js";
import { spawnSecrets } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

/** A file and a folder outside the project that a planted link points at; they must come out untouched. */
async function victims() {
  const dir = await tmpdir();
  const file = join(dir, "victim.txt");
  const folder = join(dir, "victim-dir");
  await writeFile(file, "precious bytes\n", { mode: 0o644 });
  await chmod(file, 0o644);
  await mkdir(folder, { mode: 0o755 });
  await chmod(folder, 0o755);
  const snapshot = async () => ({
    file: await readFile(file, "utf8"),
    fileMode: (await stat(file)).mode & 0o777,
    folderMode: (await stat(folder)).mode & 0o777,
    folder: await readdir(folder),
  });
  return { file, folder, before: await snapshot(), snapshot };
}

/** Every place in `.secrets/` a cloned repository could plant a link, and what it would point at. */
const POSITIONS: [entry: string, target: "file" | "folder"][] = [
  ["key", "file"],
  ["journal.jsonl", "file"],
  ["journal.head", "file"],
  ["store.enc", "file"],
  ["store.enc.lock", "file"],
  ["lock", "file"],
  ["backups", "folder"],
];

describe("symlinks in the state folder are refused, never followed", () => {
  for (const [entry, target] of POSITIONS) {
    it(`.secrets/${entry} -> a ${target} elsewhere: a live run exits 2 naming it, and the target is untouched`, async () => {
      const p = await attackProject();
      const v = await victims();
      await rm(p.state(entry), { recursive: true, force: true });
      await symlink(target === "file" ? v.file : v.folder, p.state(entry));
      await writeFile(join(p.cwd, ".env"), "S=a-changed-value-0123456789abcdef\n");
      for (const args of [
        ["migrate", "local", "--yes", "--on-conflict", "overwrite"],
        ["rotate", "S", "--yes"],
        ["journal", "verify"],
        ["get", "S"],
      ]) {
        const r = await p.secrets(args);
        expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toContain(`error [STATE_SYMLINK]: refusing to use ${p.state(entry)}: it is a symbolic link`);
      }
      expect(await v.snapshot()).toEqual(v.before);
    });
  }

  it(".secrets itself -> a folder elsewhere: init and live runs exit 2; the folder keeps its mode and gets nothing", async () => {
    const cwd = await tmpdir();
    const v = await victims();
    await symlink(v.folder, join(cwd, ".secrets"));
    await writeFile(join(cwd, ".env"), "S=some-value-0123456789abcdef\n");
    for (const args of [["init"], ["migrate", "local", "--yes"], ["journal", "verify"]]) {
      const r = await spawnSecrets(args, cwd, { SECRETS_ENCRYPTION_KEY: "k".repeat(40) });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain("STATE_SYMLINK");
    }
    expect(await v.snapshot()).toEqual(v.before);
  });

  it("a run's backup replaced by a link: rollback refuses it and reads nothing through it", async () => {
    const p = await attackProject();
    const v = await victims();
    const [backup] = await readdir(p.state("backups"));
    await rm(p.state(`backups/${backup}`));
    await symlink(v.file, p.state(`backups/${backup}`));
    const r = await p.secrets(["rollback", "local", "--run", (backup ?? "").replace(/\.enc$/, ""), "--yes"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error [STATE_SYMLINK]: refusing to use ${p.state(`backups/${backup}`)}`);
    expect(await v.snapshot()).toEqual(v.before);
  });
});

describe("the key file is guarded like an ssh key", () => {
  it("a key readable by group or others (0644, as a committed file would be) is refused with a way out", async () => {
    const p = await attackProject();
    await chmod(p.state("key"), 0o644);
    for (const args of [
      ["migrate", "local", "--dry-run"],
      ["get", "S"],
      ["journal", "verify"],
    ]) {
      const r = await p.secrets(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(`error [KEY_PERMISSIONS]: ${p.state("key")} is readable by others (mode 0644)`);
      expect(r.stderr).toMatch(/hint: run `chmod 600 .*` .* or set SECRETS_ENCRYPTION_KEY/);
    }
    await chmod(p.state("key"), 0o640);
    expect((await p.secrets(["get", "S"])).code).toBe(2);
    await chmod(p.state("key"), 0o600);
    expect((await p.secrets(["get", "S"])).code).toBe(0);
  });

  it("the environment key still works beside a loose key file, and a short one is still refused", async () => {
    const p = await attackProject();
    const material = (await readFile(p.state("key"), "utf8")).trim();
    await chmod(p.state("key"), 0o644);
    // The environment wins, so the loose file is not even read.
    expect((await p.secrets(["get", "S"], { SECRETS_ENCRYPTION_KEY: material })).code).toBe(0);
    const short = await p.secrets(["get", "S"], { SECRETS_ENCRYPTION_KEY: "short-key-CANARY" });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain("KEY_TOO_SHORT");
    expect(short.stderr).not.toContain("short-key-CANARY");
  });
});

describe("init never makes a new key beside state the old key wrote", () => {
  it("key lost: init refuses (exit 2), says how to restore it or start over, and writes no key", async () => {
    const p = await attackProject();
    await rm(p.state("key"));
    const r = await p.secrets(["init"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error \[KEY_MISSING_WITH_STATE\]: .*holds store\.enc, journal\.jsonl, journal\.head, \d+ backup\(s\) but no key/);
    expect(r.stderr).toContain("put the old key back");
    expect(r.stderr).toContain("mv .secrets .secrets.old && secrets init");
    expect(await readdir(p.state(""))).not.toContain("key");
    // the NO_KEY hint does not send anyone to `init` either
    const noKey = await p.secrets(["migrate", "local", "--yes"]);
    expect(noKey.stderr).toContain("put back the key file this state folder was written with");
  });

  it("a deliberate fresh start works once the old folder is moved aside", async () => {
    const p = await attackProject();
    await rm(p.state("key"));
    await rename(p.state(""), `${p.state("")}.old`);
    expect((await p.secrets(["init"])).code).toBe(0);
  });
});
