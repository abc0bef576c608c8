import { Server, type Socket } from "node:net";

/**
 * Event triggers on the in-process test servers, so a test acts on what the server saw rather
 * than after a sleep. They reach into the servers' request counters and sockets from outside;
 * when the servers grow hooks of their own, only this file changes.
 */

/**
 * Calls `fn` with the running total at every increment of any of `keys` in a server's request
 * counters. The servers count a request just before they handle it.
 */
export function everyCount(counts: Record<string, number>, keys: readonly string[], fn: (seen: number) => void): void {
  let seen = 0;
  for (const key of keys) {
    let value = counts[key] ?? 0;
    Object.defineProperty(counts, key, {
      configurable: true,
      enumerable: true,
      get: () => value,
      set: (next: number) => {
        value = next;
        fn(++seen);
      },
    });
  }
}

/** Calls `fn` at the n-th counted request: it still lands, but its answer comes only after `fn`. */
export function onCount(counts: Record<string, number>, keys: readonly string[], n: number, fn: () => void): void {
  everyCount(counts, keys, (seen) => {
    if (seen === n) fn();
  });
}

const OPEN = Symbol.for("secretshift.test.open-connections");

/** Every socket a server in this process accepted and has not closed yet (tracked from the first call on). */
function openConnections(): Set<Socket> {
  const global = globalThis as { [OPEN]?: Set<Socket> };
  if (global[OPEN]) return global[OPEN];
  const open = new Set<Socket>();
  const emit = Server.prototype.emit as (this: Server, event: string | symbol, ...args: unknown[]) => boolean;
  Server.prototype.emit = function (this: Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === "connection") {
      const socket = args[0] as Socket;
      open.add(socket);
      socket.once("close", () => open.delete(socket));
    }
    return emit.call(this, event, ...args);
  } as Server["emit"];
  global[OPEN] = open;
  return open;
}

/**
 * Call before starting a process; the function it returns resolves once every connection the
 * servers accepted since then has closed. A server closes its side only after reading all that was
 * sent on it, and the test servers then handle a request without further I/O: once this resolves,
 * whatever a killed process had in flight has landed (or never will).
 */
export function settleAfter(): () => Promise<void> {
  const open = openConnections();
  const before = new Set(open);
  return async () => {
    const fresh = [...open].filter((s) => !before.has(s));
    await Promise.all(fresh.map((s) => new Promise((resolve) => s.once("close", resolve))));
    // Handlers still running are promise chains now; they drain before the next turn of the loop.
    await new Promise((resolve) => setImmediate(resolve));
  };
}
