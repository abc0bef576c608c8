import type { Server } from "node:http";

/** Stops a test server at once: keep-alive connections from SDK clients would otherwise hold `close` open. */
export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
}
