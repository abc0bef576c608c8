import { fstatSync } from "node:fs";

/**
 * isatty(fd), asking node:tty only when the answer may be yes. Loading node:tty loads node:net with it
 * (~2–3 ms of every start); a pipe, a file or a socket is never a terminal, and fstat says which
 * those are. A character device may be a terminal or /dev/null: only isatty can tell them apart.
 */
export function isTerminal(fd: number): boolean {
  try {
    if (!fstatSync(fd).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  return process.getBuiltinModule("node:tty").isatty(fd);
}

/** What chalk's supports-color imports as `node:tty` in the bundle (scripts/build-cli.mjs): the same answers, without node:net. */
export default { isatty: isTerminal };
