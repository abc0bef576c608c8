/** stdout or stderr as commands see it: tests pass a string collector, a terminal has `isTTY`. */
export interface OutputStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}
