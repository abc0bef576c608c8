/**
 * The write requests a test server has handled, counted by the server itself, so a test can say
 * "nothing was written" or act "after the Nth write" without asking the code under test. Every
 * test server (aws, azure, gcp, vault, k8s) exposes one as `server.writes` / `server.onWrite`.
 */
export class WriteLog {
  /** Write requests handled so far, whatever their outcome (refused and throttled ones included). */
  count = 0;
  private hooks: { at: number; fn: () => void }[] = [];

  /**
   * Runs `fn` once the `n`th write request from now has been handled: its effect (if any) is
   * applied and its response not yet sent, so a kill there leaves a write the client never saw.
   */
  onWrite(n: number, fn: () => void): void {
    this.hooks.push({ at: this.count + n, fn });
  }

  /** Called by the server after handling a write request, before answering it. */
  handled(): void {
    this.count++;
    const due = this.hooks.filter((h) => h.at <= this.count);
    this.hooks = this.hooks.filter((h) => h.at > this.count);
    for (const h of due) h.fn();
  }
}

/** What every test server exposes about its own state (see each server's `snapshot()` for the shape). */
export interface WireState {
  /** Write requests handled so far. */
  readonly writes: number;
  onWrite(n: number, fn: () => void): void;
  /** Plain JSON of everything the server holds: names → versions, values, labels/tags. */
  snapshot(): Record<string, unknown>;
}
