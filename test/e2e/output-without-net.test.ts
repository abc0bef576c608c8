import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadedModules, moduleProbe } from "../helpers/module-probe.js";
import { runSecrets } from "../helpers/run-cli.js";
import { BIN, spawnSecrets } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

const FD_OUTPUT = fileURLToPath(new URL("../../dist/ui/fd-output.js", import.meta.url));

/** As a parent sharing the pipe might leave it: libuv makes a descriptor it wraps non-blocking, and the flag belongs to the open pipe, which the process's descriptor 1 shares. */
async function nonBlockingStdout(dir: string): Promise<string> {
  const probe = join(dir, "nonblocking.cjs");
  await writeFile(probe, `globalThis.keptOpen = new (require("node:net").Socket)({ fd: 1, readable: false, writable: true });\n`);
  return `--require ${probe}`;
}

async function project(keys: number, nameLength = 0): Promise<string> {
  const cwd = await tmpdir();
  const name = (i: number) => `KEY_${i}${"_".repeat(nameLength)}`;
  await writeFile(join(cwd, ".env"), Array.from({ length: keys }, (_, i) => `${name(i)}=value-${i}-${"x".repeat(40)}\n`).join(""));
  expect((await spawnSecrets(["init"], cwd)).code).toBe(0);
  expect((await spawnSecrets(["migrate", "local", "--yes"], cwd)).code).toBe(0);
  return cwd;
}

/**
 * Resolves when the process has written more than half a pipe's buffer and its count of bytes written
 * (`wchar`, Linux) has not moved for five looks in a row: it waits on the reader. Or when it has ended.
 */
async function stalled(pid: number): Promise<void> {
  const written = async () => Number(/wchar: (-?\d+)/.exec(await readFile(`/proc/${pid}/io`, "utf8").catch(() => "wchar: -1"))?.[1]);
  let last = -1;
  for (let same = 0; same < 5; ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = await written();
    if (now < 0) return;
    same = now === last && now > 32_768 ? same + 1 : 0;
    last = now;
  }
}

describe("output to a pipe, a file or a socket goes to the descriptor, without Node's socket stream", () => {
  it("validate local into pipes loads neither node:net nor node:tty (chalk's colour check included)", async () => {
    const cwd = await project(20);
    const list = join(cwd, "modules.json");
    const r = await spawnSecrets(["validate", "local"], cwd, { NODE_OPTIONS: await moduleProbe(cwd, list) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("in sync: 20 in-sync\n");
    const loaded = await loadedModules(list);
    expect(loaded).toContain("NativeModule fs");
    expect(loaded).not.toContain("NativeModule net");
    expect(loaded).not.toContain("NativeModule tty");
  });

  it("the bin's --help, `help <command>` and --version, into a pipe and into a file: commander's text, without node:net or node:tty", async () => {
    const cwd = await tmpdir();
    for (const args of [["--help"], ["help", "migrate"], ["validate", "--help"]]) {
      // The authority: commander's rendering of the same help, in-process, to a stream that is not a terminal.
      const commander = (await runSecrets(args, { cwd })).stdout;
      expect(commander).toMatch(/^Usage: secrets/);
      const list = join(cwd, "modules.json");
      const piped = await spawnSecrets(args, cwd, { NODE_OPTIONS: await moduleProbe(cwd, list) });
      expect(piped.code).toBe(0);
      expect(piped.stdout).toBe(commander);
      const loaded = await loadedModules(list);
      expect(loaded).not.toContain("NativeModule net");
      expect(loaded).not.toContain("NativeModule tty");
      const file = join(cwd, "help.txt");
      const fd = openSync(file, "w");
      const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? "", CI: "true" }, stdio: ["ignore", fd, "inherit"] });
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      closeSync(fd);
      expect(code).toBe(0);
      expect(readFileSync(file, "utf8")).toBe(commander);
    }
    const version = await spawnSecrets(["--version"], cwd);
    expect(version.stdout).toBe(`${JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version}\n`);
  });

  it("a stdout left non-blocking, with a reader that waits: every byte arrives, in order, and the exit code is the command's", async () => {
    // ~800 KB of JSON: several times what the pipe buffers.
    const cwd = await project(3000, 200);
    // Writes meet EAGAIN whenever the pipe is full.
    const nodeOptions = await nonBlockingStdout(cwd);
    let stdout: Readable | null = null;
    let pid = 0;
    const exited = spawnSecrets(["validate", "local", "--json"], cwd, { NODE_OPTIONS: nodeOptions }, (child) => {
      stdout = child.stdout;
      pid = child.pid as number;
      child.stdout?.pause();
    });
    // Reading starts once the CLI waits on the full pipe: its count of bytes written stops moving.
    await stalled(pid);
    (stdout as Readable | null)?.resume();
    const r = await exited;
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const document = JSON.parse(r.stdout) as { inSync: boolean; summary: Record<string, number> };
    expect(document.inSync).toBe(true);
    expect(document.summary["in-sync"]).toBe(3000);
  });

  it("one write larger than the pipe's room goes out whole: the descriptor takes it in parts", async () => {
    const dir = await tmpdir();
    const text = Array.from({ length: 120_000 }, (_, i) => i.toString(36)).join(",");
    const script = join(dir, "write.mjs");
    await writeFile(script, `import { FdOutput } from ${JSON.stringify(FD_OUTPUT)};\nnew FdOutput(1, "stdout").write(${JSON.stringify(text)});\n`);
    const child = spawn(process.execPath, [script], {
      env: { PATH: process.env.PATH ?? "", NODE_OPTIONS: await nonBlockingStdout(dir) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.pause();
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const chunks: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => chunks.push(d));
    const code = new Promise<number | null>((resolve) => child.on("close", resolve));
    await stalled(child.pid as number);
    child.stdout.resume();
    expect(await code, stderr).toBe(0);
    expect(Buffer.concat(chunks).toString("utf8")).toBe(text);
  });
});
