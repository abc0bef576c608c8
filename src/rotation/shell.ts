import { spawn } from "node:child_process";

export interface ShellResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
}

/** Runs a user's command line through `/bin/sh -c`. The secret, if any, travels in `env`, never argv. */
export type Shell = (command: string, env: NodeJS.ProcessEnv, cwd: string) => Promise<ShellResult>;

/**
 * The real shell. stdout is captured (a generator's value); stderr goes nowhere: a test command that
 * echoes `$SECRET_VALUE` must not put it in our output.
 */
export const runShell: Shell = (command, env, cwd) =>
  new Promise((resolve, reject) => {
    const child = spawn("/bin/sh", ["-c", command], { cwd, env, stdio: ["ignore", "pipe", "ignore"] });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => chunks.push(d));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout: Buffer.concat(chunks).toString("utf8") }));
  });

export const describeExit = (r: Pick<ShellResult, "code" | "signal">): string => (r.signal ? `was killed by ${r.signal}` : `exited with code ${r.code}`);
