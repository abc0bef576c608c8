import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN } from "../helpers/spawn-cli.js";
import { tmpdir } from "../helpers/tmpdir.js";

// `secrets run` forwards SIGTERM/SIGINT to its command and exits as the command does. The signal is
// sent once the command says it is ready (its handlers are installed), never after a timer.
const CHILD = `const { appendFileSync } = require("node:fs");
const [file, handled, code] = process.argv.slice(2);
for (const signal of ["SIGTERM", "SIGINT"]) {
  if (handled === "yes") process.on(signal, () => { appendFileSync(file, signal + " " + process.env.GREETING + "\\n"); process.exit(Number(code)); });
}
setInterval(() => {}, 1000);
process.stdout.write("ready\\n");`;

async function runUntilReady(handled: "yes" | "no", code: number, signal: NodeJS.Signals) {
  const cwd = await tmpdir();
  await writeFile(join(cwd, ".env"), "GREETING=hello\n");
  await writeFile(join(cwd, "child.js"), CHILD);
  const record = join(cwd, "signals.txt");
  await writeFile(record, "");
  const secrets = spawn(process.execPath, [BIN, "run", "--", process.execPath, "child.js", record, handled, String(code)], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: cwd, CI: "true" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  secrets.stderr.on("data", (d) => (stderr += d));
  let stdout = "";
  secrets.stdout.on("data", (d) => {
    stdout += d;
    if (stdout === "ready\n") secrets.kill(signal);
  });
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    secrets.on("close", (c, s) => resolve({ code: c, signal: s })),
  );
  return { exit, stderr, stdout, recorded: await readFile(record, "utf8") };
}

describe("secrets run forwards signals", () => {
  it.each([
    ["SIGTERM", 7],
    ["SIGINT", 9],
  ] as const)("%s reaches the command, and run exits with the command's code", async (signal, code) => {
    const r = await runUntilReady("yes", code, signal);
    expect(r.recorded, r.stderr).toBe(`${signal} hello\n`);
    expect(r.exit).toEqual({ code, signal: null });
    expect(r.stdout).toBe("ready\n");
  });

  it.each([
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const)("a command killed by %s makes run exit with 128 + the signal's number", async (signal, code) => {
    const r = await runUntilReady("no", 0, signal);
    expect(r.recorded).toBe("");
    expect(r.exit, r.stderr).toEqual({ code, signal: null });
  });
});
