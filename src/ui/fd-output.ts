import { writeSync } from "node:fs";
import { CliError, ExitCode } from "../core/errors.js";
import type { OutputStream } from "./output-stream.js";
import { isTerminal } from "./terminal.js";

/**
 * stdout or stderr when it is not a terminal: each write goes to the descriptor at once, as Node's own
 * stream does on Linux for a pipe or a file. process.stdout for a pipe is a net.Socket; building it
 * loads node:net and friends (~3–5 ms of a start whose output is one line).
 */
export class FdOutput implements OutputStream {
  readonly isTTY = false;
  /**
   * The reader stopped early (`| head`) and closed the pipe: the rest is dropped, and the command runs to
   * its end (a live run must not stop half-way because its output is unread).
   */
  private closed = false;

  constructor(
    private readonly fd: number,
    private readonly name: string,
  ) {}

  write(chunk: string): boolean {
    const bytes = Buffer.from(chunk, "utf8");
    for (let at = 0; at < bytes.length && !this.closed; ) {
      try {
        at += writeSync(this.fd, bytes, at);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // A descriptor shared with a parent that made it non-blocking: wait for the reader, as a blocking write would.
        if (code === "EAGAIN") waitMs(1);
        else if (code === "EPIPE") this.closed = true;
        else throw new CliError("OUTPUT", `cannot write to ${this.name}: ${code ?? (error as Error).message}`, { exitCode: ExitCode.failed });
      }
    }
    return true;
  }
}

let sleeper: Int32Array | undefined;
function waitMs(ms: number): void {
  sleeper ??= new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(sleeper, 0, 0, ms);
}

/** The output for descriptor 1 or 2: a terminal keeps Node's stream (colours, spinners and prompts need it). */
export function processOutput(fd: 1 | 2): OutputStream {
  if (!isTerminal(fd)) return new FdOutput(fd, fd === 1 ? "stdout" : "stderr");
  const stream = fd === 1 ? process.stdout : process.stderr;
  stream.on("error", ignoreClosedReader);
  return stream;
}

/** Node's stream reports the closed pipe as an error event: the same rule as FdOutput's. */
function ignoreClosedReader(error: NodeJS.ErrnoException): void {
  if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
}
